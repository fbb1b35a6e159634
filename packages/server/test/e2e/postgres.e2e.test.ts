import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { adminQuery, dropSchema, reportSkip, TEST_DATABASE_URL, uniqueSchema } from '../postgres-support.js';
import {
  createTenant,
  type HookwireProcess,
  type Receiver,
  runCli,
  startHookwire,
  startReceiver,
  tempDir,
  waitFor,
} from './helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });
reportSkip('PostgreSQL end-to-end tests');

/**
 * The scaling-out deployment of the README, for real: `hookwire migrate` on a PostgreSQL schema, then one
 * `--role api` process and one `--role worker` process sharing it. The worker polls only every 10 minutes,
 * so each delivery inside this test's timeout was woken by NOTIFY from the API process.
 */
describe.skipIf(!TEST_DATABASE_URL)('hookwire on PostgreSQL: separate api and worker processes', () => {
  const schema = uniqueSchema();
  const database = ['--database-url', TEST_DATABASE_URL, '--database-schema', schema];
  const apiDir = tempDir('hookwire-pg-api-');
  const workerDir = tempDir('hookwire-pg-worker-');
  let api: HookwireProcess;
  let worker: HookwireProcess;
  let receiver: Receiver;

  beforeAll(async () => {
    const migrated = await runCli(['migrate', ...database]);
    expect(migrated.stderr).toBe('');
    expect(migrated.stdout).toBe(`applied migrations 1 to PostgreSQL schema ${schema}\n`);
    expect((await runCli(['migrate', ...database])).stdout).toBe(
      `PostgreSQL schema ${schema} is up to date\n`,
    );
    receiver = await startReceiver();
    worker = await startHookwire({
      dataDir: workerDir.path,
      args: ['--dev', '--role', 'worker', ...database],
      env: { HOOKWIRE_POLL_INTERVAL_MS: '600000' },
    });
    api = await startHookwire({ dataDir: apiDir.path, args: ['--dev', '--role', 'api', ...database] });
  });

  afterAll(async () => {
    const codes = await Promise.all([api?.stop(), worker?.stop()]);
    await receiver?.close();
    apiDir.remove();
    workerDir.remove();
    await dropSchema(schema);
    expect(codes).toEqual([0, 0]);
  });

  it('publishes through the API process; the worker process, woken by NOTIFY, delivers every event', async () => {
    const { hw } = await createTenant(api.url, 'Acme');
    await hw.webhooks.create({ url: `${receiver.url}/hooks`, events: ['link.click'] });
    const published: string[] = [];
    for (let i = 0; i < 20; i++) {
      published.push((await hw.events.publish({ type: 'link.click', data: { link_id: `l${i}` } })).id);
    }
    const received = await waitFor(
      '20 deliveries',
      () => (receiver.requests.length >= 20 ? receiver.requests : undefined),
      45_000,
    );
    expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(20);
    expect([...new Set(received.map((r) => r.headers['webhook-id']))].sort()).toEqual([...published].sort());

    // Only the worker listens; the API process only notifies.
    const listeners = await adminQuery(
      "SELECT query FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle'",
      [`hookwire listen ${schema}`],
    );
    expect(listeners.rows).toEqual([{ query: 'LISTEN hookwire_work' }]);
    // The worker's /metrics (ops app) counts the attempts it made.
    const metrics = await waitFor('the worker to record 20 attempts', async () => {
      const text = await (await fetch(`${worker.url}/metrics`)).text();
      return text.includes('hookwire_delivery_attempts_total{outcome="succeeded"} 20') ? text : undefined;
    });
    expect(metrics).not.toContain('outcome="retry"');
  });
});
