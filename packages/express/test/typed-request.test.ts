import { links } from '@hookwire/events/catalogs/links';
import { schemes, sign } from '@hookwire/signatures';
import express, { type Response } from 'express';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createWebhookMiddleware } from '../src/index.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('typed req.webhook with a catalog', () => {
  it('types the event in the route and rejects invalid data with 400 and every issue', async () => {
    const countries: string[] = [];
    const app = express();
    const webhook = createWebhookMiddleware({ secret: SECRET, catalog: links });
    app.post('/webhooks', webhook, (req, res: Response) => {
      const event = webhook.event(req);
      if (event.type === 'link.click') {
        expectTypeOf(event.data.link_id).toEqualTypeOf<string>();
        countries.push(event.data.country ?? '?');
      }
      res.json({ ok: true });
    });
    app.get('/unverified', (req, res) => {
      res.status(500).json({
        message: (() => {
          try {
            webhook.event(req);
            return '';
          } catch (e) {
            return (e as Error).message;
          }
        })(),
      });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/webhooks`;
    try {
      const send = async (data: unknown) => {
        const body = JSON.stringify({
          metadata: {
            eventType: 'link.click',
            apiVersion: '2026-02-09',
            eventTime: new Date().toISOString(),
          },
          data,
        });
        const headers = await sign(schemes.standard(), { secret: SECRET, body });
        return fetch(url, {
          method: 'POST',
          body,
          headers: { ...headers, 'content-type': 'application/json' },
        });
      };
      expect((await send({ link_id: 'lnk_1', country: 'FR' })).status).toBe(200);
      expect(countries).toEqual(['FR']);
      const bad = await send({ country: 7 });
      expect(bad.status).toBe(400);
      const problem = (await bad.json()) as { code: string; issues: { path: (string | number)[] }[] };
      expect(problem.code).toBe('invalid_data');
      expect(problem.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['country']));
      expect(countries).toEqual(['FR']);
      const unverified = await fetch(url.replace('/webhooks', '/unverified'));
      expect(((await unverified.json()) as { message: string }).message).toMatch(
        /mount createWebhookMiddleware/,
      );
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
