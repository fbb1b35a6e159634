import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BUILT_IN_PLANS,
  CONFIG_OPTIONS,
  ConfigError,
  loadConfig,
  parsePlans,
  toDispatcherPlans,
} from '../../src/config.js';
import { DEFAULT_RETRY_SCHEDULE_MS } from '../../src/dispatcher/retry-policy.js';

const dir = mkdtempSync(join(tmpdir(), 'hookwire-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({}, {}, '/srv');
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      dataDir: '/srv/.hookwire',
      databaseUrl: null,
      databaseSchema: null,
      databasePoolSize: 10,
      adminKey: null,
      encryptionKey: null,
      dev: false,
      demo: false,
      role: 'all',
      retentionDays: 30,
      retentionIntervalMs: 3_600_000,
      defaultPlan: 'pro',
      shutdownTimeoutMs: 10_000,
      requestTimeoutMs: 10_000,
      maxConcurrency: 64,
      endpointConcurrency: 4,
      claimBatchSize: 50,
      pollIntervalMs: 1000,
      leaseMs: 60_000,
      maxPayloadBytes: undefined,
      publicBaseUrl: null,
      durability: 'normal',
      logLevel: 'info',
    });
    expect(c.plans).toEqual(BUILT_IN_PLANS);
    expect(c.plans.pro).toEqual({ maxEndpoints: 5, retrySchedule: [300_000, 1_800_000, 7_200_000] });
  });

  it('reads every HOOKWIRE_* variable', () => {
    const c = loadConfig(
      {},
      {
        HOOKWIRE_HOST: '0.0.0.0',
        HOOKWIRE_PORT: '9000',
        HOOKWIRE_DATA_DIR: 'data',
        HOOKWIRE_ADMIN_KEY: 'admin-key-0123456789',
        HOOKWIRE_ENCRYPTION_KEY: 'encryption-key-0123456789',
        HOOKWIRE_DEV: 'true',
        HOOKWIRE_DEMO: '1',
        HOOKWIRE_ROLE: 'worker',
        HOOKWIRE_RETENTION_DAYS: '7',
        HOOKWIRE_RETENTION_INTERVAL_MS: '60000',
        HOOKWIRE_PLANS: '{"fast":{"maxEndpoints":3,"retrySchedule":[200,400]},"slow":{"maxEndpoints":1}}',
        HOOKWIRE_DEFAULT_PLAN: 'slow',
        HOOKWIRE_PUBLIC_URL: 'https://hooks.example.com/',
        HOOKWIRE_UI_FRAME_ANCESTORS: 'https://app.example.com https://admin.example.com:8443/',
        HOOKWIRE_SHUTDOWN_TIMEOUT_MS: '2500',
        HOOKWIRE_REQUEST_TIMEOUT_MS: '3000',
        HOOKWIRE_MAX_CONCURRENCY: '128',
        HOOKWIRE_ENDPOINT_CONCURRENCY: '16',
        HOOKWIRE_CLAIM_BATCH: '200',
        HOOKWIRE_POLL_INTERVAL_MS: '30000',
        HOOKWIRE_LEASE_MS: '5000',
        HOOKWIRE_MAX_PAYLOAD_BYTES: '1048576',
        HOOKWIRE_DURABILITY: 'full',
        HOOKWIRE_LOG_LEVEL: 'warn',
      },
      '/srv',
    );
    expect(c).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      dataDir: '/srv/data',
      adminKey: 'admin-key-0123456789',
      encryptionKey: 'encryption-key-0123456789',
      dev: true,
      demo: true,
      role: 'worker',
      retentionDays: 7,
      retentionIntervalMs: 60_000,
      defaultPlan: 'slow',
      publicBaseUrl: 'https://hooks.example.com',
      uiFrameAncestors: ['https://app.example.com', 'https://admin.example.com:8443'],
      shutdownTimeoutMs: 2500,
      requestTimeoutMs: 3000,
      maxConcurrency: 128,
      endpointConcurrency: 16,
      claimBatchSize: 200,
      pollIntervalMs: 30_000,
      leaseMs: 5000,
      maxPayloadBytes: 1_048_576,
      durability: 'full',
      logLevel: 'warn',
    });
    expect(c.plans).toEqual({
      fast: { maxEndpoints: 3, retrySchedule: [200, 400] },
      slow: { maxEndpoints: 1 },
    });
  });

  it('lets flags win over the environment', () => {
    const c = loadConfig(
      {
        host: '::1',
        port: '0',
        'data-dir': '/x',
        role: 'api',
        dev: true,
        'retention-days': '0',
        'log-level': 'debug',
      },
      { HOOKWIRE_HOST: '0.0.0.0', HOOKWIRE_PORT: '9000', HOOKWIRE_ROLE: 'worker', HOOKWIRE_DEV: '0' },
    );
    expect(c).toMatchObject({
      host: '::1',
      port: 0,
      dataDir: '/x',
      role: 'api',
      dev: true,
      retentionDays: 0,
    });
    expect(c.logLevel).toBe('debug');
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({}, { HOOKWIRE_PORT: '', HOOKWIRE_ADMIN_KEY: '  ' }).port).toBe(8080);
    expect(loadConfig({}, { HOOKWIRE_ADMIN_KEY: '' }).adminKey).toBeNull();
  });

  it('selects PostgreSQL with a postgres:// URL, its schema and pool size; refuses other databases', () => {
    const c = loadConfig(
      { 'database-url': 'postgresql://u:p@db:5432/hookwire', 'database-schema': 'hookwire' },
      { HOOKWIRE_DATABASE_POOL_SIZE: '25' },
    );
    expect(c).toMatchObject({
      databaseUrl: 'postgresql://u:p@db:5432/hookwire',
      databaseSchema: 'hookwire',
      databasePoolSize: 25,
    });
    const env = loadConfig({}, { HOOKWIRE_DATABASE_URL: 'postgres://u:p@db/hookwire' });
    expect(env).toMatchObject({
      databaseUrl: 'postgres://u:p@db/hookwire',
      databaseSchema: null,
      databasePoolSize: 10,
    });
    expect(loadConfig({}, {})).toMatchObject({ databaseUrl: null, databaseSchema: null });
    const mysql = configError(() => loadConfig({ 'database-url': 'mysql://x' }, {}));
    expect(mysql.code).toBe('UNSUPPORTED_DATABASE');
    expect(mysql.message).toContain('must be a postgres:// URL');
  });

  it.each([
    [{ 'database-schema': 'hookwire' }, {}, /only applies with HOOKWIRE_DATABASE_URL/],
    [{ 'database-url': 'postgres://db/x', 'database-schema': 'Hook-wire' }, {}, /HOOKWIRE_DATABASE_SCHEMA/],
    [{}, { HOOKWIRE_DATABASE_URL: 'postgres://db/x', HOOKWIRE_DATABASE_POOL_SIZE: '0' }, /POOL_SIZE/],
    [{}, { HOOKWIRE_DATABASE_URL: 'postgres://u:secret@[bad/x' }, /not a valid URL/],
  ])('rejects bad database settings %#', (flags, env, message) => {
    const e = configError(() => loadConfig(flags, env));
    expect(e.code).toBe('INVALID_CONFIG');
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('secret');
  });

  it.each([
    [{}, { HOOKWIRE_PORT: '80a' }, /HOOKWIRE_PORT/],
    [{}, { HOOKWIRE_PORT: '70000' }, /between 0 and 65535/],
    [{ port: '-1' }, {}, /--port/],
    [{}, { HOOKWIRE_DEV: 'maybe' }, /HOOKWIRE_DEV/],
    [{}, { HOOKWIRE_ROLE: 'both' }, /api, worker or all/],
    [{}, { HOOKWIRE_ADMIN_KEY: 'short' }, /at least 16/],
    [{}, { HOOKWIRE_ENCRYPTION_KEY: 'short' }, /HOOKWIRE_ENCRYPTION_KEY/],
    [{ demo: true }, {}, /only works in dev mode/],
    [{}, { HOOKWIRE_DEFAULT_PLAN: 'gold' }, /"gold" is not a plan: pro, builder/],
    [{}, { HOOKWIRE_LOG_LEVEL: 'loud' }, /HOOKWIRE_LOG_LEVEL/],
    [{}, { HOOKWIRE_DURABILITY: 'max' }, /normal or full/],
    [{}, { HOOKWIRE_PUBLIC_URL: 'ftp://x' }, /http\(s\)/],
    [{}, { HOOKWIRE_PUBLIC_URL: 'not a url' }, /not a URL/],
    [{}, { HOOKWIRE_UI_FRAME_ANCESTORS: 'https://app.example.com/embed' }, /origins like/],
    [{}, { HOOKWIRE_UI_FRAME_ANCESTORS: "* 'unsafe-inline'" }, /origins like/],
    [{}, { HOOKWIRE_UI_FRAME_ANCESTORS: 'javascript:alert(1)' }, /origins like/],
    [{}, { HOOKWIRE_CLAIM_BATCH: '0' }, /HOOKWIRE_CLAIM_BATCH/],
    [{}, { HOOKWIRE_POLL_INTERVAL_MS: '5' }, /HOOKWIRE_POLL_INTERVAL_MS/],
    [{}, { HOOKWIRE_LEASE_MS: '5000', HOOKWIRE_REQUEST_TIMEOUT_MS: '5000' }, /longer than/],
    [{}, { HOOKWIRE_RETENTION_DAYS: '1.5' }, /whole number/],
  ])('rejects %j %j', (flags, env, message) => {
    const e = configError(() => loadConfig(flags, env));
    expect(e.code).toBe('INVALID_CONFIG');
    expect(e.message).toMatch(message);
  });

  it('picks pro as the default plan when configured, else the first plan', () => {
    expect(
      loadConfig({}, { HOOKWIRE_PLANS: '{"a":{"maxEndpoints":1},"pro":{"maxEndpoints":2}}' }).defaultPlan,
    ).toBe('pro');
    expect(
      loadConfig({}, { HOOKWIRE_PLANS: '{"a":{"maxEndpoints":1},"b":{"maxEndpoints":2}}' }).defaultPlan,
    ).toBe('a');
  });

  it('never shares the built-in plan objects with a config', () => {
    const c = loadConfig({}, {});
    c.plans.pro?.retrySchedule?.push(1);
    expect(BUILT_IN_PLANS.pro?.retrySchedule).toHaveLength(3);
  });
});

describe('parsePlans', () => {
  it('reads a JSON file relative to cwd', () => {
    writeFileSync(
      join(dir, 'plans.json'),
      JSON.stringify({ team: { maxEndpoints: 20, retrySchedule: [1000] } }),
    );
    expect(parsePlans('plans.json', dir)).toEqual({ team: { maxEndpoints: 20, retrySchedule: [1000] } });
    expect(loadConfig({ plans: join(dir, 'plans.json') }, {}).defaultPlan).toBe('team');
  });

  it.each([
    ['missing.json', /cannot be read/],
    ['{"a":', /not valid JSON/],
    ['{}', /non-empty object/],
    ['{"Bad Name":{"maxEndpoints":1}}', /plan name/],
    ['{"a":[]}', /"a" must be an object/],
    ['{"a":{}}', /maxEndpoints must be a whole number/],
    ['{"a":{"maxEndpoints":-1}}', /maxEndpoints/],
    ['{"a":{"maxEndpoints":1,"retries":3}}', /unknown field "retries"/],
    ['{"a":{"maxEndpoints":1,"retrySchedule":[1.5]}}', /retrySchedule/],
    ['{"a":{"maxEndpoints":1,"retrySchedule":"5m"}}', /retrySchedule/],
    ['{"a":{"maxEndpoints":1,"retrySchedule":[-1]}}', /retrySchedule/],
  ])('rejects %s', (value, message) => {
    const e = configError(() => parsePlans(value, dir));
    expect(e.code).toBe('INVALID_CONFIG');
    expect(e.message).toMatch(message);
  });

  it('gives the dispatcher the default schedule when a plan has none', () => {
    expect(toDispatcherPlans(BUILT_IN_PLANS)).toEqual({
      pro: { name: 'pro', maxEndpoints: 5, retryScheduleMs: [300_000, 1_800_000, 7_200_000] },
      builder: { name: 'builder', maxEndpoints: 10, retryScheduleMs: [...DEFAULT_RETRY_SCHEDULE_MS] },
    });
  });
});

describe('CONFIG_OPTIONS', () => {
  it('documents every variable loadConfig reads', async () => {
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(new URL('../../src/config.ts', import.meta.url), 'utf8');
    const read = new Set(source.match(/HOOKWIRE_[A-Z_]+/g));
    const documented = new Set(CONFIG_OPTIONS.map((o) => o.env));
    expect([...read].filter((v) => !documented.has(v))).toEqual([]);
  });

  it('is the README configuration table', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    // biome pads table cells, so match a row by its first two cells.
    const rows = new Set(
      [...readme.matchAll(/^\|\s*`(HOOKWIRE_[A-Z_]+)`\s*\|\s*(\S+)\s*\|/gm)].map((m) => `${m[1]} ${m[2]}`),
    );
    for (const o of CONFIG_OPTIONS) {
      expect(rows).toContain(`${o.env} ${o.flag ? `\`${o.flag}\`` : '—'}`);
    }
  });
});
