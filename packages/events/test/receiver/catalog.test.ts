import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { links } from '../../src/catalogs/links.js';
import { defineCatalog } from '../../src/index.js';
import {
  createRouter,
  createWebhookHandler,
  type ReceivedEvent,
  verifyWebhookRequest,
  type WebhookProblem,
} from '../../src/receiver/index.js';
import { envelope, nextId, SECRET, signedHeaders } from './fixtures.js';

async function request(type: string, data: unknown, id = nextId()): Promise<Request> {
  const body = envelope(type, data, id);
  return new Request('http://127.0.0.1/webhooks', {
    method: 'POST',
    body,
    headers: await signedHeaders(body, { id }),
  });
}

describe('catalog validation in the receiver', () => {
  it('hands the handler typed, validated data', async () => {
    const seen: string[] = [];
    const router = createRouter(links).on('link.click', (event) => {
      expectTypeOf(event.type).toEqualTypeOf<'link.click'>();
      expectTypeOf(event.data.link_id).toEqualTypeOf<string>();
      seen.push(`${event.data.link_id}:${event.data.country}`);
    });
    const handler = createWebhookHandler({ secret: SECRET, catalog: links, handler: router });
    const response = await handler(await request('link.click', { link_id: 'lnk_abc', country: 'FR' }));
    expect(response.status).toBe(200);
    expect(seen).toEqual(['lnk_abc:FR']);
  });

  it('answers 400 invalid_data with every issue and its path, without running the handler', async () => {
    let runs = 0;
    const handler = createWebhookHandler({
      secret: SECRET,
      catalog: links,
      handler: () => {
        runs += 1;
      },
    });
    const response = await handler(await request('link.click', { country: 42, unique: 'yes' }));
    expect(response.status).toBe(400);
    const problem = (await response.json()) as WebhookProblem;
    expect(problem.code).toBe('invalid_data');
    const paths = problem.issues?.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual(expect.arrayContaining(['country', 'unique']));
    expect(problem.issues?.length).toBeGreaterThanOrEqual(3); // link_id missing too
    expect(runs).toBe(0);
  });

  it('answers 400 unknown_event_type for a type outside the catalog', async () => {
    const handler = createWebhookHandler({ secret: SECRET, catalog: links, handler: () => undefined });
    const response = await handler(await request('link.clicked', {}));
    expect(response.status).toBe(400);
    expect(((await response.json()) as WebhookProblem).code).toBe('unknown_event_type');
  });

  it('skips data validation with validate: false but still types the event', async () => {
    const body = envelope('link.click', { anything: true });
    const { event } = await verifyWebhookRequest(
      { body, headers: await signedHeaders(body) },
      { secret: SECRET, catalog: links, validate: false },
    );
    expectTypeOf(event).toEqualTypeOf<ReceivedEvent<typeof links>>();
    expect(event.type).toBe('link.click');
  });

  it('passes a Standard Schema transform through to the handler', async () => {
    const catalog = defineCatalog({
      'order.paid': z.object({ cents: z.string().transform((s) => Number(s)) }),
    });
    const values: number[] = [];
    const handler = createWebhookHandler({
      secret: SECRET,
      catalog,
      handler: createRouter(catalog).on('order.paid', (event) => {
        values.push(event.data.cents);
      }),
    });
    expect((await handler(await request('order.paid', { cents: '1250' }))).status).toBe(200);
    expect(values).toEqual([1250]);
  });

  it('rejects a misspelt type at compile time and at registration', () => {
    const router = createRouter(links);
    // @ts-expect-error 'link.clik' is not in the links catalog
    expect(() => router.on('link.clik', () => undefined)).toThrow(TypeError);
    // Without a catalog every string is allowed.
    expect(() => createRouter().on('anything.goes', () => undefined)).not.toThrow();
  });
});
