import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { Dispatcher, type DispatcherOptions } from '../../src/dispatcher/dispatcher.js';
import type { AppOptions } from '../../src/http/app.js';
import { openapiDocument } from '../../src/http/generated/openapi.js';
import type { JsonObject } from '../../src/http/json.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { type CallResult, createHarness, type Harness, operations } from '../http/support.js';

export { ADMIN_KEY, expectMatchesSpec, operations } from '../http/support.js';

/**
 * The HTTP test harness (`test/http/support.ts`: every `call` is checked against the spec) wired to a
 * dispatcher this suite configures itself: production mode by default, an injected resolver, a short retry
 * policy. `store` and `dispatcher` are the ones the app really uses.
 */
export interface SecureHarness extends Omit<Harness, 'store' | 'dispatcher'> {
  store: SqliteStore;
  dispatcher: Dispatcher;
}

export async function createSecureHarness(
  opts: { dev?: boolean; dispatcher?: Partial<DispatcherOptions>; app?: Partial<AppOptions> } = {},
): Promise<SecureHarness> {
  const dev = opts.dev ?? false;
  const dir = mkdtempSync(join(tmpdir(), 'hookwire-security-'));
  const store = new SqliteStore({ filename: join(dir, 'hookwire.db') });
  await store.migrate();
  const dispatcher = new Dispatcher({
    store,
    dev,
    idleIntervalMs: 20,
    timeoutMs: 2000,
    // One attempt, no retries: a blocked delivery ends `failed` at once, so tests wait for a final state.
    plans: { default: { name: 'default', retryScheduleMs: [] } },
    ...opts.dispatcher,
  });
  // createHarness builds its own (unused, never started) store and dispatcher; the app gets ours.
  const h = await createHarness({ store, dispatcher, dev, ...opts.app });
  return {
    ...h,
    store,
    dispatcher,
    async close() {
      await h.close();
      await dispatcher.stop({ deadlineMs: 2000 });
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Follows `#/components/...` refs of the OpenAPI document. */
export function resolveSchema(node: unknown): JsonObject {
  let current = node as JsonObject;
  for (let hops = 0; typeof current?.$ref === 'string' && hops < 10; hops++) {
    const path = (current.$ref as string).slice(2).split('/');
    current = path.reduce<JsonObject>((acc, key) => acc[key] as JsonObject, openapiDocument as JsonObject);
  }
  return current;
}

/** Every operationId of the spec, for tables that must cover them all. */
export const operationIds = (): string[] => operations.map((op) => op.operationId).sort();

/** A problem+json 4xx with a code: what every refused request must look like. */
export function expectClientProblem(res: CallResult, what: string): void {
  expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
  expect(String(res.headers['content-type']), what).toContain('application/problem+json');
  expect(res.body?.code, what).toMatch(/^[A-Z_]+$/);
}

/** Polls `check` (bounded) until it returns a value. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  tries = 400,
  everyMs = 25,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await check();
    if (v !== undefined && v !== null && v !== false) {
      return v;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}
