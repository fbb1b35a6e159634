import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EdgeVM } from '@edge-runtime/vm';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { clickData, envelope, otherSecret, secret, signedHeaders } from './helpers.js';

// Proves the App Router entry runs on the Edge runtime: the built dist is bundled the way Next bundles an
// edge route (browser platform, `edge-light` condition, so any `node:` import fails the bundle) and run
// inside @edge-runtime/vm, the same VM that `next start` uses for `export const runtime = 'edge'`.

interface VmGlobals {
  received: { type: string; id: string | undefined; data: unknown; url: string }[];
  logged: string[];
}

let vm: EdgeVM;
let usedDist = false;
const globals = (): VmGlobals => vm.context as unknown as VmGlobals;

beforeAll(async () => {
  const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
  if (!existsSync(dist)) {
    throw new Error('dist/ is missing: run `pnpm --filter @hookwire/next... build` before this test');
  }
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./fixtures/edge-entry.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    conditions: ['edge-light', 'worker', 'browser'],
    target: 'es2022',
    logLevel: 'silent',
    plugins: [
      {
        name: 'hookwire-next-dist',
        setup(esbuild) {
          // The fixture imports src/ for type checking; what runs on the edge is the published dist.
          esbuild.onResolve({ filter: /\/src\/index\.js$/ }, () => {
            usedDist = true;
            return { path: dist };
          });
        },
      },
    ],
  });
  expect(usedDist).toBe(true);
  const code = bundle.outputFiles[0]?.text ?? '';
  expect(code).not.toMatch(/require\(["']node:/);
  vm = new EdgeVM();
  vm.evaluate(`globalThis.HOOKWIRE_SECRET = ${JSON.stringify(secret)};`);
  vm.evaluate(code);
});

async function dispatch(body: string, headers: Record<string, string>, path = '/api/webhooks') {
  const response = await vm.dispatchFetch(`http://127.0.0.1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('createRouteHandler inside @edge-runtime/vm (built dist)', () => {
  it('runs in a context without Node globals', () => {
    expect(vm.evaluate('typeof process === "undefined" && typeof Buffer === "undefined"')).toBe(true);
    expect(vm.evaluate('typeof EdgeRuntime')).toBe('string');
  });

  it('verifies with Web Crypto and hands the typed event to the handler once', async () => {
    const { id, body } = envelope();
    const { status, json } = await dispatch(body, await signedHeaders(body, { id }));
    expect(status).toBe(200);
    expect(json).toEqual({ received: true });
    const mine = globals().received.filter((event) => event.id === id);
    expect(mine).toEqual([{ type: 'link.click', id, data: clickData, url: 'http://127.0.0.1/api/webhooks' }]);
  });

  it.each([
    ['tampered body', 'tampered', 401, 'no_matching_signature'],
    ['wrong secret', 'wrong-secret', 401, 'no_matching_signature'],
    ['stale timestamp', 'stale', 401, 'timestamp_too_old'],
    ['missing headers', 'unsigned', 401, 'missing_header'],
  ] as const)('rejects %s', async (_name, kind, status, code) => {
    const { id, body } = envelope();
    const headers =
      kind === 'unsigned'
        ? {}
        : await signedHeaders(body, {
            id,
            ...(kind === 'wrong-secret' ? { secret: otherSecret } : {}),
            ...(kind === 'stale' ? { timestamp: new Date(Date.now() - 301_000) } : {}),
          });
    const sent = kind === 'tampered' ? body.replace('"link.click"', '"link.created"') : body;
    const result = await dispatch(sent, headers);
    expect(result).toMatchObject({ status, json: { status, code } });
    expect(globals().received.some((event) => event.id === id)).toBe(false);
  });

  it('answers a redelivered id with 200 duplicate', async () => {
    const { id, body } = envelope();
    expect((await dispatch(body, await signedHeaders(body, { id }))).json).toEqual({ received: true });
    const retry = await dispatch(
      body,
      await signedHeaders(body, { id, timestamp: new Date(Date.now() + 1000) }),
    );
    expect(retry).toEqual({ status: 200, json: { received: true, duplicate: true } });
    expect(globals().received.filter((event) => event.id === id)).toHaveLength(1);
  });

  it('answers 500 handler_failed when the handler throws', async () => {
    const { id, body } = envelope();
    const result = await dispatch(body, await signedHeaders(body, { id }), '/api/throws');
    expect(result).toMatchObject({ status: 500, json: { code: 'handler_failed' } });
    expect(globals().logged).toContain('Hookwire receiver: handler_failed');
  });
});
