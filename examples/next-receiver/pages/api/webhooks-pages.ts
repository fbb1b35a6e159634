import { links } from '@hookwire/events/catalogs/links';
import { createApiRoute } from '@hookwire/next/pages';
import { recordEvent } from '../../lib/received-events';

// The signature covers the raw bytes, so Next's body parser must stay off for this route.
export const config = { api: { bodyParser: false } };

export default createApiRoute(
  { secret: process.env.HOOKWIRE_WEBHOOK_SECRET!, catalog: links },
  async (event) => {
    recordEvent({ route: 'pages', id: event.id ?? '', type: event.type, data: event.data });
  },
);
