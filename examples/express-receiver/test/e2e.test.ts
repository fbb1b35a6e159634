import { describeReceiverExample } from '@hookwire-example/receiver-e2e';

describeReceiverExample('examples/express-receiver', new URL('..', import.meta.url));
