import { createHookwireClient } from '@hookwire/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ADMIN_KEY,
  type HookwireProcess,
  type Receiver,
  startHookwire,
  startReceiver,
  tempDir,
  waitFor,
} from './helpers.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const TOTAL = 500;
const CONCURRENCY = 16;
// Short leases so deliveries leased by the killed process are claimed again within seconds.
const ENV = { HOOKWIRE_REQUEST_TIMEOUT_MS: '1000', HOOKWIRE_LEASE_MS: '3000' };

const dir = tempDir('hookwire-crash-');
let receiver: Receiver;
const servers: HookwireProcess[] = [];

beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  for (const s of servers) {
    await s.stop();
  }
  await receiver?.close();
  dir.remove();
});

describe('SIGKILL mid-burst', () => {
  it('delivers every 202-acknowledged message at least once after a restart on the same data dir', async () => {
    const first = await startHookwire({ dataDir: dir.path, env: ENV });
    servers.push(first);
    const admin = createHookwireClient({ baseUrl: first.url, apiKey: ADMIN_KEY, retries: false });
    const tenant = await admin.tenants.create({ name: 'crash' });
    const { key } = await admin.apiKeys.create(tenant.id, { name: 'crash' });
    const hw = createHookwireClient({ baseUrl: first.url, apiKey: key, retries: false, timeoutMs: 5000 });
    await hw.eventTypes.create({ name: 'link.click', description: 'click' });
    await hw.webhooks.create({ url: `${receiver.url}/crash`, events: ['link.click'] });

    const acknowledged = new Set<string>();
    let failed = 0;
    let killed: Promise<unknown> | null = null;
    let next = 0;
    const worker = async () => {
      while (next < TOTAL) {
        const i = next++;
        try {
          const r = await hw.events.publish({ type: 'link.click', data: { link_id: `lnk_${i}` } });
          acknowledged.add(r.id);
        } catch {
          failed++; // the process is gone: not acknowledged, so not promised
        }
        if (!killed && acknowledged.size >= TOTAL / 2) {
          killed = first.kill();
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(await killed).toBe('SIGKILL');
    expect(acknowledged.size).toBeGreaterThanOrEqual(TOTAL / 2);
    expect(failed).toBeGreaterThan(0); // the kill really happened mid-burst
    const deliveredBeforeRestart = new Set(receiver.requests.map((r) => String(r.headers['webhook-id'])))
      .size;

    const second = await startHookwire({ dataDir: dir.path, env: ENV });
    servers.push(second);
    const seen = () => new Set(receiver.requests.map((r) => String(r.headers['webhook-id'])));
    await waitFor(
      `all ${acknowledged.size} acknowledged messages delivered`,
      () => [...acknowledged].every((id) => seen().has(id)),
      60_000,
      200,
    );
    const unique = seen().size;
    const duplicates = receiver.requests.length - unique;
    console.log(
      `crash test: ${acknowledged.size} acknowledged, ${failed} refused while down, ` +
        `${deliveredBeforeRestart} delivered before the kill, ${unique} delivered in total, ${duplicates} duplicate deliveries`,
    );
    // Nothing unacknowledged was invented: every delivered id was published (acknowledged or in flight at the kill).
    expect(unique).toBeLessThanOrEqual(TOTAL);
  });
});
