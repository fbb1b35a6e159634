import { createApp } from './app.js';

// A fixed development secret so `pnpm start` works out of the box; set WEBHOOK_SECRET in production.
const DEV_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const secret = process.env.WEBHOOK_SECRET ?? DEV_SECRET;
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

const { app } = await createApp(secret);
const address = await app.listen({ port, host });
console.log(`fastify-receiver listening on ${address}/webhooks`);
