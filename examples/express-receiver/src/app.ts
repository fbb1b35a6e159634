import { links } from '@hookwire/events/catalogs/links';
import { createRouter, createWebhookMiddleware } from '@hookwire/express';
import express, { type Express } from 'express';

/** What the example records for each handled event (exposed on GET /events for the e2e test). */
export interface ReceivedEvent {
  id: string | undefined;
  type: string;
  data: unknown;
}

/**
 * The example app: POST /webhooks verifies Standard Webhooks signatures, validates the event against the
 * built-in `links` catalog and routes it by type. GET /events lists what was handled.
 */
export function createApp(secret: string): { app: Express; received: ReceivedEvent[] } {
  const received: ReceivedEvent[] = [];
  const record = (event: ReceivedEvent) => {
    received.push(event);
    console.log(`handled ${event.type} ${event.id ?? ''}`);
  };

  const router = createRouter(links)
    .on('link.click', (event) => record({ id: event.id, type: event.type, data: event.data }))
    .onAny((event) => {
      if (event.type !== 'link.click') {
        record({ id: event.id, type: event.type, data: event.data });
      }
    });

  const app = express();
  // Webhook routes go before any app-wide express.json(): verification needs the raw bytes.
  app.post('/webhooks', createWebhookMiddleware({ secret, catalog: links, handler: router }));
  app.use(express.json());
  app.get('/events', (_req, res) => {
    res.json(received);
  });
  return { app, received };
}
