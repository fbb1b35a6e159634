import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uiAssetsDir } from '@hookwire/ui';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUi } from '../../src/http/ui.js';
import { createHarness, expectProblem, type Harness } from './support.js';

describe('the dashboard at /ui', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  }, 60_000);
  afterAll(async () => {
    await h.close();
  }, 60_000);

  it.each(['/ui', '/ui/', '/ui/deliveries/dlv_1'])('%s serves index.html with a strict CSP', async (url) => {
    const r = await h.raw('GET', url);
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type'])).toContain('text/html');
    expect(r.text).toContain('<div id="root">');
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(r.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('serves hashed assets as immutable, and the page references them under /ui/assets/', async () => {
    const page = await h.raw('GET', '/ui');
    const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
    expect(script, page.text).toBeDefined();
    const r = await h.raw('GET', script!);
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type'])).toContain('javascript');
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(r.headers['content-security-policy']).toBeDefined();
    expect(readdirSync(join(uiAssetsDir, 'assets')).length).toBeGreaterThan(0);
  });

  it('answers a missing asset with a 404 problem, not with the page', async () => {
    const r = await h.raw('GET', '/ui/assets/index-deadbeef.js');
    expectProblem(r, 'NOT_FOUND', 404);
  });

  it('does not serve files outside the assets directory', async () => {
    const r = await h.raw('GET', '/ui/..%2f..%2fpackage.json');
    expect(r.text).not.toContain('"@hookwire/ui"');
  });
});

describe('a dashboard that other origins may frame (HOOKWIRE_UI_FRAME_ANCESTORS)', () => {
  it('lists them in frame-ancestors beside self and drops X-Frame-Options, which cannot name them', async () => {
    const app = Fastify();
    try {
      await registerUi(app, {
        frameAncestors: ['https://app.example.com', 'https://admin.example.com:8443'],
      });
      for (const url of ['/ui', '/ui/endpoints/wh_1']) {
        const r = await app.inject({ method: 'GET', url });
        expect(r.statusCode).toBe(200);
        expect(r.headers['content-security-policy']).toContain(
          "frame-ancestors 'self' https://app.example.com https://admin.example.com:8443",
        );
        expect(r.headers['x-frame-options']).toBeUndefined();
      }
    } finally {
      await app.close();
    }
  });
});

describe('a server whose dashboard is not built', () => {
  it('answers /ui with 503 SERVICE_UNAVAILABLE instead of failing to start', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'hookwire-ui-'));
    const app = Fastify();
    try {
      await registerUi(app, { root: empty });
      const r = await app.inject({ method: 'GET', url: '/ui' });
      expect(r.statusCode).toBe(503);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
