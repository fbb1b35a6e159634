import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';

// A fixed development secret so `pnpm start` works out of the box; set WEBHOOK_SECRET in production.
const DEV_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const secret = process.env.WEBHOOK_SECRET ?? DEV_SECRET;
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

const { app } = createApp(secret);
// Node's headersTimeout/requestTimeout stay at their defaults: they protect against slow senders.
const server = app.listen(port, host, () => {
  const { port: actual } = server.address() as AddressInfo;
  console.log(`express-receiver listening on http://${host}:${actual}/webhooks`);
});
