import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'hookwire-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('publish with an external id', () => {
  it('finds an earlier message through the external-id index, not a scan of the tenant', async () => {
    const file = join(dir, 'hookwire.db');
    const store = new SqliteStore({ filename: file });
    await store.migrate();
    const tenant = await store.createTenant({ name: 't' });
    await store.publishBatch(
      tenant.id,
      Array.from({ length: 2000 }, (_, i) => ({ eventType: 'a.b', data: {}, externalId: `ext_${i}` })),
    );
    const first = await store.publish(tenant.id, { eventType: 'a.b', data: {}, externalId: 'ext_7' });
    expect(first.duplicate).toBe(true);
    await store.close();

    // The statement the store runs for the duplicate check, read back from its source.
    const source = await import('node:fs/promises').then((fs) =>
      fs.readFile(new URL('../../src/store/sqlite-store.ts', import.meta.url), 'utf8'),
    );
    const sql = /`(SELECT \* FROM messages[^`]*external_id = \?[^`]*)`/.exec(source)?.[1];
    expect(sql).toBeDefined();
    const db = new Database(file, { readonly: true });
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(tenant.id, 'x', 0) as { detail: string }[])
      .map((r) => r.detail)
      .join('\n');
    db.close();
    expect(plan).toContain('messages_external');
    expect(plan).not.toContain('messages_tenant');
  });
});
