import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { linksJsonSchemas } from '@hookwire/events/catalogs/links';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.js';

/** File in the data dir that remembers the demo tenant and its key across restarts (dev mode only). */
export const DEMO_FILE = 'demo.json';
const DEMO_TENANT_NAME = 'Demo';

export interface DemoTenant {
  tenantId: string;
  apiKey: string;
  /** True when this start created the tenant. */
  created: boolean;
  eventTypes: string[];
}

interface DemoFile {
  tenantId: string;
  apiKey: string;
}

/**
 * `--demo`: a tenant named "Demo" with an API key and the `link.*` / `campaign.*` types of the built-in
 * `links` catalog, created once and remembered in `<dataDir>/demo.json` so every dev start prints the same
 * key. The key is created through the API itself (admin key, in-process request), so it is a real key of
 * whatever format the API issues.
 */
export async function ensureDemoTenant(options: {
  app: FastifyInstance;
  store: Store;
  adminKey: string;
  dataDir: string;
}): Promise<DemoTenant> {
  const { app, store, adminKey, dataDir } = options;
  const path = join(dataDir, DEMO_FILE);
  const remembered = await readDemoFile(path);
  let created = false;
  let tenantId = remembered?.tenantId;
  let apiKey = remembered?.apiKey;
  if (!tenantId || !(await store.getTenant(tenantId)) || !apiKey) {
    const tenant = await store.createTenant({ name: DEMO_TENANT_NAME, context: { accountId: 'acc_demo' } });
    tenantId = tenant.id;
    const res = await app.inject({
      method: 'POST',
      url: `/api/tenants/${tenant.id}/api-keys`,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      payload: { name: 'demo' },
    });
    if (res.statusCode !== 201) {
      throw new Error(`creating the demo API key failed: ${res.statusCode} ${res.body}`);
    }
    apiKey = (res.json() as { key: string }).key;
    await writeFile(path, `${JSON.stringify({ tenantId, apiKey } satisfies DemoFile, null, 2)}\n`, {
      mode: 0o600,
    });
    created = true;
  }
  const eventTypes: string[] = [];
  for (const [name, schema] of Object.entries(linksJsonSchemas)) {
    const existing = await store.getEventType(tenantId, name);
    if (!existing) {
      const s = schema as { description?: string };
      await store.upsertEventType(tenantId, {
        name,
        description: s.description ?? '',
        category: name.startsWith('link.') ? 'Links' : 'Campaigns',
        schema: schema as unknown as Record<string, unknown>,
      });
    }
    eventTypes.push(name);
  }
  return { tenantId, apiKey, created, eventTypes };
}

async function readDemoFile(path: string): Promise<DemoFile | null> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<DemoFile>;
    return typeof parsed.tenantId === 'string' && typeof parsed.apiKey === 'string'
      ? { tenantId: parsed.tenantId, apiKey: parsed.apiKey }
      : null;
  } catch {
    return null; // missing or unreadable: create a fresh demo tenant
  }
}
