import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEndpointSecret } from '../../src/crypto/keys.js';
import { type Resolver, systemResolver } from '../../src/dispatcher/ssrf.js';
import { createSecureHarness, eventually, type SecureHarness } from './support.js';

/**
 * HARDENING 26–32 through the real dispatcher, outside dev mode: every internal destination is refused when
 * the endpoint is created AND refused again when the dispatcher connects (the endpoint row exists, e.g.
 * written by an older version or by hand, or a public-looking name that resolves inside). The attempt is
 * read back through the API. A TCP canary on 127.0.0.1 proves that "blocked" means no connection at all:
 * every loopback spelling points at its port.
 */

interface Case {
  /** What the matrix row is. */
  name: string;
  /** The literal host as a user would type it into the URL. */
  host: string;
  /** The address the host stands for (what the injected resolver answers for the rebinding variant). */
  address: string;
}

const CASES: Case[] = [
  { name: 'IPv4 loopback', host: '127.0.0.1', address: '127.0.0.1' },
  { name: 'localhost', host: 'localhost', address: '127.0.0.1' },
  { name: 'IPv6 loopback', host: '[::1]', address: '::1' },
  { name: 'private 10/8', host: '10.0.0.1', address: '10.0.0.1' },
  { name: 'private 172.16/12', host: '172.16.0.1', address: '172.16.0.1' },
  { name: 'private 192.168/16', host: '192.168.1.1', address: '192.168.1.1' },
  { name: 'cloud metadata', host: '169.254.169.254', address: '169.254.169.254' },
  { name: 'carrier-grade NAT', host: '100.64.0.1', address: '100.64.0.1' },
  // Linux routes a connection to 0.0.0.0 to the local host: it would reach the canary.
  { name: 'unspecified', host: '0.0.0.0', address: '0.0.0.0' },
  { name: 'IPv4-mapped IPv6', host: '[::ffff:127.0.0.1]', address: '::ffff:127.0.0.1' },
  { name: 'dword spelling', host: '2130706433', address: '127.0.0.1' },
  { name: 'octal spelling', host: '0177.0.0.1', address: '127.0.0.1' },
  // Beyond the list (HARDENING 27, 28): more spellings and IPv6 wrappers around internal IPv4.
  { name: 'hex short spelling', host: '0x7f.1', address: '127.0.0.1' },
  { name: 'short spelling', host: '127.1', address: '127.0.0.1' },
  { name: 'NAT64 metadata', host: '[64:ff9b::a9fe:a9fe]', address: '64:ff9b::a9fe:a9fe' },
  { name: '6to4 metadata', host: '[2002:a9fe:a9fe::1]', address: '2002:a9fe:a9fe::1' },
  { name: 'IPv6 ULA metadata', host: '[fd00:ec2::254]', address: 'fd00:ec2::254' },
];

/** `loopback-ipv4.rebind.example.com` and so on: public-looking names the injected resolver points inside. */
const rebindName = (c: Case) => `${c.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.rebind.example.com`;

const resolverCalls: string[] = [];
const resolver: Resolver = async (hostname) => {
  resolverCalls.push(hostname);
  const hit = CASES.find((c) => rebindName(c) === hostname);
  if (hit) {
    return [{ address: hit.address, family: hit.address.includes(':') ? 6 : 4 }];
  }
  if (hostname === 'localhost') {
    return systemResolver(hostname); // what /etc/hosts really says
  }
  // Never ask real DNS for anything else from a test.
  throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

let h: SecureHarness;
let tenant: { id: string; key: string };
let canary: Server;
let canaryPort: number;
let canaryConnections = 0;

beforeAll(async () => {
  canary = createServer((socket) => {
    canaryConnections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
  canaryPort = (canary.address() as AddressInfo).port;
  h = await createSecureHarness({ dispatcher: { resolver } });
  h.dispatcher.start();
  tenant = await h.tenant({ name: 'ssrf' });
  await h.eventTypes(tenant.key, ['link.click']);
}, 60_000);

afterAll(async () => {
  await h?.close();
  await new Promise<void>((resolve) => canary.close(() => resolve()));
}, 60_000);

describe('SSRF matrix (outside dev mode, real dispatcher path)', () => {
  it('every internal destination is BLOCKED_URL at create and blocked again at connect time', async () => {
    const urlOf = (host: string) => `https://${host}:${canaryPort}/hook`;
    // 1. Registration: the API refuses every literal spelling.
    for (const c of CASES) {
      const r = await h.call('createWebhook', {
        auth: tenant.key,
        body: { url: urlOf(c.host), events: ['link.click'] },
      });
      expect(r.status, `${c.name}: ${r.text}`).toBe(400);
      expect(r.body.code, c.name).toBe('BLOCKED_URL');
    }

    // 2. Connect time, literal URL: rows the API would refuse, written straight into the store.
    const literal = new Map<string, Case>();
    for (const c of CASES) {
      const ep = await h.store.createEndpoint(tenant.id, {
        url: urlOf(c.host),
        events: ['link.click'],
        secret: generateEndpointSecret(),
      });
      literal.set(ep.id, c);
    }
    // 3. Connect time, a public name that resolves inside (DNS rebinding): the API accepts it, as it must.
    const named = new Map<string, Case>();
    for (const c of CASES) {
      const r = await h.call('createWebhook', {
        auth: tenant.key,
        body: { url: urlOf(rebindName(c)), events: ['link.click'] },
      });
      expect(r.status, `${rebindName(c)}: ${r.text}`).toBe(201);
      named.set(r.body.id, c);
    }

    const pub = await h.call('publishEvent', {
      auth: tenant.key,
      body: { type: 'link.click', data: { probe: 'ssrf' } },
    });
    expect(pub.status).toBe(202);
    expect(pub.body.deliveries).toBe(CASES.length * 2);

    const event = await eventually('every delivery to reach a final state', async () => {
      const r = await h.call('getEvent', { auth: tenant.key, params: { eventId: pub.body.id } });
      return r.body.deliveries.every((d: { status: string }) => d.status === 'failed') ? r.body : null;
    });
    const rows: string[] = [];
    for (const d of event.deliveries as { id: string; webhookId: string }[]) {
      const c = literal.get(d.webhookId) ?? named.get(d.webhookId);
      const how = literal.has(d.webhookId) ? 'literal' : 'resolved';
      expect(c, d.webhookId).toBeDefined();
      const r = await h.call('getDelivery', { auth: tenant.key, params: { deliveryId: d.id } });
      expect(r.body.attempts, `${c!.name} (${how})`).toHaveLength(1);
      const [attempt] = r.body.attempts;
      expect(attempt, `${c!.name} (${how})`).toMatchObject({ errorKind: 'blocked', statusCode: null });
      expect(attempt.error, `${c!.name} (${how})`).toMatch(/refusing to connect/);
      rows.push(`${how.padEnd(8)} ${c!.name.padEnd(20)} ${attempt.url.padEnd(60)} ${attempt.error}`);
    }
    console.log(`SSRF matrix, ${rows.length} attempts:\n${rows.sort().join('\n')}`);
    expect(rows).toHaveLength(CASES.length * 2);
    // The guarded lookup asked the injected resolver for every rebinding name.
    for (const c of CASES) {
      expect(resolverCalls).toContain(rebindName(c));
    }
    expect(canaryConnections, 'a blocked destination must never see a connection').toBe(0);
    // The canary itself is reachable: the zero above is the guard's doing, not a dead port.
    await new Promise<void>((resolve, reject) =>
      connect(canaryPort, '127.0.0.1')
        .once('close', () => resolve())
        .once('error', reject),
    );
    expect(canaryConnections).toBe(1);
    canaryConnections = 0;
  });

  it('a test send to a blocked endpoint reports the blocked attempt and reaches nothing', async () => {
    const ep = await h.store.createEndpoint(tenant.id, {
      url: `https://0177.0.0.1:${canaryPort}/hook`,
      secret: generateEndpointSecret(),
    });
    const r = await h.call('sendTestEvent', { auth: tenant.key, params: { webhookId: ep.id } });
    expect(r.status).toBe(200);
    expect(r.body.succeeded).toBe(false);
    expect(r.body.attempt).toMatchObject({ errorKind: 'blocked', statusCode: null });
    expect(canaryConnections).toBe(0);
  });
});

describe('redirects are never followed (HARDENING 32)', () => {
  // A 3xx needs a receiver the dispatcher may reach: on 127.0.0.1 that is dev mode only. The redirect
  // target is a live loopback listener, so following it would be visible as a request there.
  let dev: SecureHarness;
  let redirector: HttpServer;
  let target: HttpServer;
  const redirectorHits: string[] = [];
  const targetHits: string[] = [];

  beforeAll(async () => {
    target = createHttpServer((req, res) => {
      targetHits.push(req.url ?? '');
      res.end('internal secrets');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const targetPort = (target.address() as AddressInfo).port;
    redirector = createHttpServer((req, res) => {
      redirectorHits.push(req.url ?? '');
      const internal =
        req.url === '/to-metadata'
          ? 'http://169.254.169.254/latest/meta-data/'
          : `http://127.0.0.1:${targetPort}/admin`;
      res.writeHead(302, { location: internal }).end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    dev = await createSecureHarness({
      dev: true,
      dispatcher: { plans: { default: { name: 'default', retryScheduleMs: [30] } }, random: () => 0.5 },
    });
    dev.dispatcher.start();
  }, 60_000);

  afterAll(async () => {
    await dev?.close();
    for (const s of [redirector, target]) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }, 60_000);

  it('a 302 to the metadata service or to a loopback service is a failed attempt, retried, never followed', async () => {
    const t = await dev.tenant({ name: 'redirects' });
    await dev.eventTypes(t.key, ['link.click']);
    const port = (redirector.address() as AddressInfo).port;
    for (const path of ['/to-metadata', '/to-loopback']) {
      const w = await dev.call('createWebhook', {
        auth: t.key,
        body: { url: `http://127.0.0.1:${port}${path}`, events: ['link.click'] },
      });
      expect(w.status).toBe(201);
    }
    const pub = await dev.call('publishEvent', { auth: t.key, body: { type: 'link.click', data: {} } });
    expect(pub.body.deliveries).toBe(2);
    const event = await eventually('both deliveries to fail', async () => {
      const r = await dev.call('getEvent', { auth: t.key, params: { eventId: pub.body.id } });
      return r.body.deliveries.every((d: { status: string }) => d.status === 'failed') ? r.body : null;
    });
    for (const d of event.deliveries as { id: string }[]) {
      const r = await dev.call('getDelivery', { auth: t.key, params: { deliveryId: d.id } });
      // One attempt plus the one retry of the plan; each one a redirect that was not followed.
      expect(r.body.attempts).toHaveLength(2);
      for (const a of r.body.attempts) {
        expect(a).toMatchObject({ errorKind: 'redirect', statusCode: 302 });
        expect(a.error).toContain('not followed');
      }
    }
    console.log(
      `redirects: ${redirectorHits.length} requests to the redirector, ${targetHits.length} to the redirect target`,
    );
    expect(redirectorHits.sort()).toEqual(['/to-loopback', '/to-loopback', '/to-metadata', '/to-metadata']);
    expect(targetHits).toEqual([]);
  });
});
