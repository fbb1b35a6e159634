import { links } from '@hookwire/events/catalogs/links';
import hookwire, { createRouter } from '@hookwire/fastify';
import Fastify, { type FastifyInstance } from 'fastify';

/** What the example records for each handled event (exposed on GET /events for the e2e test). */
export interface ReceivedEvent {
  id: string | undefined;
  type: string;
  data: unknown;
}

/**
 * The example app: POST /webhooks opts in to verification with `config: { webhook: true }`, the event is
 * validated against the built-in `links` catalog and routed by type. GET /events lists what was handled.
 */
export async function createApp(
  secret: string,
): Promise<{ app: FastifyInstance; received: ReceivedEvent[] }> {
  const received: ReceivedEvent[] = [];
  const app = Fastify();

  const router = createRouter(links)
    .on('link.click', (event) => void received.push({ id: event.id, type: event.type, data: event.data }))
    .onAny((event) => {
      if (event.type !== 'link.click') {
        received.push({ id: event.id, type: event.type, data: event.data });
      }
    });

  await app.register(hookwire, { secret, catalog: links });
  app.post('/webhooks', { config: { webhook: true } }, async (request) => {
    const event = request.webhook!;
    const { handled } = await router.dispatch(event);
    console.log(`handled ${event.type} ${event.id ?? ''}`);
    return handled ? { received: true } : { received: true, handled: false };
  });
  app.get('/events', async () => received);
  return { app, received };
}
