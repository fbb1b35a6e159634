import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpecOperation } from '../../src/http/spec.js';
import type { CallResult } from '../http/support.js';
import { ADMIN_KEY, createSecureHarness, operations, type SecureHarness } from './support.js';

/**
 * Every operation × every kind of bad credential, the expectation derived from the operation's `security`
 * in the spec (so a new operation is covered the day it is added, and one with a scheme this suite does not
 * know fails until someone decides). Extends test/http/auth.test.ts with malformed header shapes, expired
 * keys, keys of deleted tenants and the inbound token cases; every answer is validated against the spec.
 */

const KNOWN_SCHEMES = new Set(['adminKey', 'apiKey', 'sourceToken', 'sourceTokenHeader']);
const FAKE: Record<string, string> = {
  tenantId: 'tnt_00000000000000000000000000',
  keyId: 'key_00000000000000000000000000',
  webhookId: 'wh_00000000000000000000000000',
  name: 'link.click',
  eventId: 'msg_00000000000000000000000000',
  deliveryId: 'dlv_00000000000000000000000000',
  sourceId: 'src_00000000000000000000000000',
};
const paramsOf = (op: SpecOperation, over: Record<string, string> = {}) =>
  Object.fromEntries(
    [...op.path.matchAll(/\{([^}]+)\}/g)].map(([, n]) => [
      n as string,
      over[n as string] ?? FAKE[n as string],
    ]),
  ) as Record<string, string>;

let h: SecureHarness;
let clockSkewMs = 0;
let a: { id: string; key: string; keyId: string };
const bad: Record<string, string> = {};
const tally = new Map<string, number>();

const call = async (op: SpecOperation, headers: Record<string, string>, params = paramsOf(op)) => {
  const r = await h.call(op.operationId, { auth: null, headers, params });
  const k = `${r.status} ${r.body?.code ?? ''}`;
  tally.set(k, (tally.get(k) ?? 0) + 1);
  return r;
};
const expectProblem = (r: CallResult, status: number, code: string, what: string) => {
  expect(r.status, `${what}: ${r.text}`).toBe(status);
  expect(r.body.code, what).toBe(code);
  expect(String(r.headers['content-type']), what).toContain('application/problem+json');
};

beforeAll(async () => {
  // The app's clock, so a key can expire without the test sleeping.
  h = await createSecureHarness({ app: { now: () => new Date(Date.now() + clockSkewMs) } });
}, 60_000);

afterAll(async () => {
  await h?.close();
}, 60_000);

describe('auth matrix (every operation, every bad credential)', () => {
  it('covers only security schemes it knows (decide for a new one before adding it to the spec)', () => {
    const unknown = operations.flatMap((op) => op.security.filter((s) => !KNOWN_SCHEMES.has(s)));
    expect(unknown).toEqual([]);
  });

  it('refuses every bad bearer credential on every key-authenticated operation', async () => {
    a = await h.tenant({ name: 'A' });
    const gone = await h.tenant({ name: 'deleted' });
    const revoked = await h.call('createApiKey', {
      auth: a.key,
      params: { tenantId: a.id },
      body: { name: 'revoked' },
    });
    await h.call('deleteApiKey', { auth: a.key, params: { tenantId: a.id, keyId: revoked.body.id } });
    const expiring = await h.call('createApiKey', {
      auth: a.key,
      params: { tenantId: a.id },
      body: { name: 'expiring', expiresAt: new Date(Date.now() + 3_600_000).toISOString() },
    });
    expect(expiring.status).toBe(201);
    await h.call('deleteTenant', { auth: ADMIN_KEY, params: { tenantId: gone.id } });
    const prefix = a.key.split('_')[1];
    Object.assign(bad, {
      'no header': '',
      'Basic scheme': `Basic ${Buffer.from(`admin:${ADMIN_KEY}`).toString('base64')}`,
      'Bearer without a key': 'Bearer',
      'Bearer with spaces inside the key': `Bearer ${a.key.slice(0, 10)} ${a.key.slice(10)}`,
      'two keys': `Bearer ${a.key}, Bearer ${a.key}`,
      'key without Bearer': a.key,
      'unknown key': 'Bearer hw_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'real prefix, forged secret': `Bearer hw_${prefix}_${'A'.repeat(32)}`,
      'forged portal token': `Bearer hwp_${'A'.repeat(60)}`,
      'admin key with a suffix': `Bearer ${ADMIN_KEY}x`,
      'admin key truncated': `Bearer ${ADMIN_KEY.slice(0, -1)}`,
      'revoked key': `Bearer ${revoked.body.key}`,
      'key of a deleted tenant': `Bearer ${gone.key}`,
    });
    // Creation refuses a past expiry: make the key valid for an hour, then move the app's clock 2 h on.
    clockSkewMs = 2 * 3_600_000;
    bad['expired key'] = `Bearer ${expiring.body.key}`;

    const bearer = operations.filter(
      (op) => op.security.includes('apiKey') || op.security.includes('adminKey'),
    );
    expect(bearer.length).toBeGreaterThan(30);
    for (const op of bearer) {
      for (const [what, value] of Object.entries(bad)) {
        const r = await call(op, value ? { authorization: value } : {});
        expectProblem(r, 401, 'UNAUTHORIZED', `${op.operationId} with ${what}`);
      }
    }
  });

  it('a key on the wrong kind of route: tenant key on admin routes 403, admin key on tenant routes 401', async () => {
    for (const op of operations) {
      const admin = op.security.includes('adminKey');
      const tenant = op.security.includes('apiKey');
      if (admin && !tenant) {
        const r = await call(op, { authorization: `Bearer ${a.key}` }, paramsOf(op, { tenantId: a.id }));
        expectProblem(r, 403, 'FORBIDDEN', `${op.operationId} with a tenant key`);
      }
      if (tenant && !admin) {
        const r = await call(op, { authorization: `Bearer ${ADMIN_KEY}` });
        expectProblem(r, 401, 'UNAUTHORIZED', `${op.operationId} with the admin key`);
        expect(r.body.detail).toContain('tenant API key');
      }
      if (tenant && op.path.includes('{tenantId}')) {
        const r = await call(op, { authorization: `Bearer ${a.key}` });
        expectProblem(r, 403, 'FORBIDDEN', `${op.operationId} with a key of another tenant`);
      }
    }
  });

  it('the inbound URL takes only its own live source token (401 INVALID_TOKEN, ids not probeable)', async () => {
    const inbound = operations.filter(
      (op) => op.security.includes('sourceToken') || op.security.includes('sourceTokenHeader'),
    );
    expect(inbound.map((op) => op.operationId)).toEqual(['receiveInbound']);
    await h.eventTypes(a.key, ['activity.purchase']);
    const mk = async (name: string) =>
      (await h.call('createSource', { auth: a.key, body: { name, eventType: 'activity.purchase' } }))
        .body as {
        id: string;
        token: string;
      };
    const live = await mk('live');
    const other = await mk('other');
    const disabled = await mk('disabled');
    await h.call('updateSource', {
      auth: a.key,
      params: { sourceId: disabled.id },
      body: { enabled: false },
    });
    const deleted = await mk('deleted');
    await h.call('deleteSource', { auth: a.key, params: { sourceId: deleted.id } });
    const rotated = await mk('rotated');
    await h.call('rotateSourceToken', { auth: a.key, params: { sourceId: rotated.id }, body: {} });

    const cases: [string, string, Record<string, string>, Record<string, string>][] = [
      ['no token', live.id, {}, {}],
      ['empty token', live.id, { token: '' }, {}],
      ['wrong token', live.id, { token: `${live.token.slice(0, -1)}x` }, {}],
      ["another source's token", live.id, { token: other.token }, {}],
      ["another source's token in the header", live.id, {}, { 'x-hookwire-token': other.token }],
      ['the API key as bearer', live.id, {}, { authorization: `Bearer ${a.key}` }],
      ['the admin key as bearer', live.id, {}, { authorization: `Bearer ${ADMIN_KEY}` }],
      ['the API key as token', live.id, { token: a.key }, {}],
      ['disabled source', disabled.id, { token: disabled.token }, {}],
      ['deleted source', deleted.id, { token: deleted.token }, {}],
      ['rotated-out token (no overlap)', rotated.id, { token: rotated.token }, {}],
      ['unknown source id', FAKE.sourceId as string, { token: live.token }, {}],
    ];
    for (const [what, sourceId, query, headers] of cases) {
      const r = await h.call('receiveInbound', {
        auth: null,
        params: { sourceId },
        query,
        headers,
        body: { event: 'purchase' },
      });
      expectProblem(r, 401, 'INVALID_TOKEN', `receiveInbound with ${what}`);
      // Same words whatever the reason: nothing tells a disabled or unknown source from a wrong token.
      expect(r.body.detail, what).toBe('The token is missing or does not match this source.');
    }
    console.log(
      `auth matrix: ${[...tally].map(([k, n]) => `${n}x ${k.trim()}`).join(', ')}; ` +
        `${Object.keys(bad).length} bad bearer shapes, ${cases.length} bad inbound tokens`,
    );
  });
});
