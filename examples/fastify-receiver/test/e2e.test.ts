import { describeReceiverExample } from '@hookwire-example/receiver-e2e';

describeReceiverExample('examples/fastify-receiver', new URL('..', import.meta.url));
