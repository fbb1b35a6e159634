import { links } from '@hookwire/events/catalogs/links';
import { createRouteHandler } from '@hookwire/next';
import { recordEvent } from '../../../lib/received-events';

// App Router, Node.js runtime (the default). Verifies the signature over the raw bytes, validates `data`
// against the links catalog, drops redeliveries, then runs the handler with a typed event.
export const POST = createRouteHandler(
  { secret: process.env.HOOKWIRE_WEBHOOK_SECRET!, catalog: links },
  async (event) => {
    // `event` is the catalog's discriminated union: narrowing on `type` types `data`.
    recordEvent({ route: 'app-node', id: event.id ?? '', type: event.type, data: event.data });
  },
);
