import { links } from '@hookwire/events/catalogs/links';
import { createRouteHandler, createRouter } from '@hookwire/next';

// App Router on the Edge runtime: the same handler, Web Crypto instead of node:crypto.
export const runtime = 'edge';

// A typed router: `on('link.click', ...)` knows the shape of `event.data`; types without a handler are
// acknowledged with 200 so the sender does not retry them.
const router = createRouter(links).on('link.click', (event) => {
  // Edge instances share no memory with the Node.js routes, so this route reports through its log.
  console.log(`[webhooks-edge] ${event.type} ${event.id} ${JSON.stringify(event.data)}`);
});

export const POST = createRouteHandler(
  { secret: process.env.HOOKWIRE_WEBHOOK_SECRET!, catalog: links },
  router,
);
