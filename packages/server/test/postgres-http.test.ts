import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/dispatcher/dispatcher.js';
import { buildApp } from '../src/http/app.js';
import { PostgresStore } from '../src/store/postgres-store.js';
import { ADMIN_KEY, expectMatchesSpec, TEST_PLANS } from './http/support.js';
import {
  DatabaseProxy,
  dropSchema,
  reportSkip,
  TEST_DATABASE_URL,
  uniqueSchema,
} from './postgres-support.js';

reportSkip('PostgreSQL HTTP tests');

describe.skipIf(!TEST_DATABASE_URL)('HTTP API on PostgreSQL', () => {
  it('answers 503 problem+json while PostgreSQL is unreachable, never a false 202, and recovers', async () => {
    const proxy = new DatabaseProxy();
    await proxy.up();
    const schema = uniqueSchema();
    const store = new PostgresStore({
      connectionString: proxy.url,
      schema,
      poolSize: 2,
      connectionTimeoutMs: 2000,
    });
    await store.migrate();
    const dispatcher = new Dispatcher({ store, dev: true });
    const app = await buildApp({
      store,
      dispatcher,
      adminKey: ADMIN_KEY,
      dev: true,
      plans: TEST_PLANS,
      defaultPlan: 'default',
    });
    const inject = async (method: 'GET' | 'POST', url: string, auth: string, body?: unknown) => {
      const res = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${auth}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { payload: JSON.stringify(body) } : {}),
      });
      return {
        status: res.statusCode,
        body: res.body ? JSON.parse(res.body) : undefined,
        headers: res.headers,
        text: res.body,
      };
    };
    try {
      const tenant = await inject('POST', '/api/tenants', ADMIN_KEY, { name: 'Acme' });
      const key = await inject('POST', `/api/tenants/${tenant.body.id}/api-keys`, ADMIN_KEY, { name: 'k' });
      const apiKey = key.body.key as string;
      expect((await inject('POST', '/api/event-types', apiKey, { name: 'link.click' })).status).toBe(201);
      const before = await inject('POST', '/api/events', apiKey, { type: 'link.click', data: { n: 1 } });
      expect(before.status).toBe(202);

      await proxy.down();
      const during = await inject('POST', '/api/events', apiKey, { type: 'link.click', data: { n: 2 } });
      expectMatchesSpec('publishEvent', during);
      expect(during.status).toBe(503);
      expect(during.headers['content-type']).toContain('application/problem+json');
      expect(during.headers['retry-after']).toBe('1');
      expect(during.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });

      await proxy.up();
      const after = await inject('POST', '/api/events', apiKey, { type: 'link.click', data: { n: 3 } });
      expect(after.status).toBe(202);
      const messages = await store.listMessages(tenant.body.id);
      expect(messages.items.map((m) => m.data)).toEqual([{ n: 3 }, { n: 1 }]);
    } finally {
      await app.close();
      await store.close();
      await proxy.down();
      await dropSchema(schema);
    }
  });
});
