import { fileURLToPath } from 'node:url';
import { EdgeVM } from '@edge-runtime/vm';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SpecServer, startSpecServer } from './support/spec-server.js';

/*
 * Runs the client inside @edge-runtime/vm (the Vercel Edge emulator: Web APIs only, no process, no Node
 * built-ins). The source and openapi-fetch are bundled for the browser platform, so any Node-only import
 * would already fail the bundle step.
 */
let server: SpecServer;
let vm: EdgeVM;

beforeAll(async () => {
  server = await startSpecServer();
  const bundled = await build({
    entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    globalName: 'hookwire',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  vm = new EdgeVM();
  vm.evaluate(bundled.outputFiles[0]?.text ?? '');
  vm.context.baseUrl = server.url;
});
afterAll(() => server.close());
afterEach(() => {
  const violations = server.violations.splice(0);
  server.requests.length = 0;
  expect(violations).toEqual([]);
});

describe('edge runtime (@edge-runtime/vm)', () => {
  it('has no Node globals', () => {
    expect(vm.evaluate('typeof process + typeof require')).toBe('undefinedundefined');
  });

  it('creates an endpoint, publishes with a retried idempotent request, and pages the log', async () => {
    server.script('publishEvent', {
      status: 503,
      body: { code: 'SERVICE_UNAVAILABLE', title: 'x', status: 503, type: 'about:blank', requestId: 'r' },
    });
    const out = await vm.evaluate(`(async () => {
      const hw = hookwire.createHookwireClient({ baseUrl, apiKey: 'hwk_edge', retries: { baseDelayMs: 1, maxDelayMs: 2 } });
      const created = await hw.webhooks.create({ url: 'https://x.test/h', events: ['link.click'] });
      const published = await hw.events.publish({ type: 'link.click', data: { linkId: 'lnk_1' } });
      const ids = [];
      for await (const d of hw.deliveries.list()) ids.push(d.id);
      return [created.secret.slice(0, 6), published.id.slice(0, 4), ids.length];
    })()`);
    // The spec's example page points at a next page; the repeated cursor then ends the walk.
    expect(out).toEqual(['whsec_', 'msg_', 2]);
    const publishes = server.requests.filter((r) => r.operationId === 'publishEvent');
    expect(publishes).toHaveLength(2);
    expect(publishes[0]?.headers['idempotency-key']).toBe(publishes[1]?.headers['idempotency-key']);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer hwk_edge');
  });

  it('throws typed errors: API problems and timeouts', async () => {
    server.script('createWebhook', {
      status: 400,
      body: {
        type: 'https://hookwire.dev/problems/invalid-events',
        title: 'Invalid event types',
        status: 400,
        code: 'INVALID_EVENTS',
        requestId: 'req_e',
        invalid: ['click'],
      },
    });
    server.script('getWebhook', { hang: true });
    const out = await vm.evaluate(`(async () => {
      const hw = hookwire.createHookwireClient({ baseUrl, apiKey: 'k', retries: false, timeoutMs: 100 });
      const results = [];
      try { await hw.webhooks.create({ url: 'https://x.test/h', events: ['click'] }); }
      catch (e) { results.push(hookwire.isHookwireApiError(e), e.code, e.invalid[0], e.requestId); }
      try { await hw.webhooks.get('wh_01jc8y0c3t9k1w6t0f4q3x9v2c'); }
      catch (e) { results.push(hookwire.isHookwireNetworkError(e), e.code); }
      return results;
    })()`);
    expect(out).toEqual([true, 'INVALID_EVENTS', 'click', 'req_e', true, 'TIMEOUT']);
  });
});
