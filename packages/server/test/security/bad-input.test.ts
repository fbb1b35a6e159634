import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/http/json.js';
import { jsonDepth, MAX_JSON_DEPTH } from '../../src/http/json-depth.js';
import type { SpecOperation } from '../../src/http/spec.js';
import type { CallOptions, CallResult } from '../http/support.js';
import {
  ADMIN_KEY,
  createSecureHarness,
  expectClientProblem,
  expectMatchesSpec,
  operations,
  resolveSchema,
  type SecureHarness,
} from './support.js';

/**
 * A barrage of bad input on every operation of the spec, outside dev mode: malformed JSON, wrong JSON types,
 * a wrong type for every declared field, unknown fields where the schema forbids them, oversized bodies,
 * wrong media types, bad path ids, bad query values and cursors, bad header values, plus the domain cases
 * (bad URLs, bad event names). Every answer must be a problem+json 4xx with a code that the spec declares
 * for the operation; afterwards the server still answers /healthz and a normal publish.
 */

let h: SecureHarness;
let t: { id: string; key: string; keyId: string };
let sourceToken: string;
let sourceId: string;
const codes = new Map<string, number>();
const perOperation = new Map<string, number>();

/** A credential that passes the operation's auth, so the request reaches validation. */
function authFor(op: SpecOperation): Pick<CallOptions, 'auth' | 'query' | 'headers'> {
  if (op.security.includes('sourceToken')) {
    return { auth: null, headers: { 'x-hookwire-token': sourceToken } };
  }
  // Tenant paths: the admin key, so a junk tenant id reaches validation instead of the own-tenant check.
  if (
    op.security.includes('apiKey') &&
    !(op.path.includes('{tenantId}') && op.security.includes('adminKey'))
  ) {
    return { auth: t.key };
  }
  if (op.security.includes('adminKey')) {
    return { auth: ADMIN_KEY };
  }
  return { auth: null };
}

/** Ids that pass the path patterns (and exist where that matters). */
const validParams = (op: SpecOperation): Record<string, string> =>
  Object.fromEntries(
    [...op.path.matchAll(/\{([^}]+)\}/g)].map(([, n]) => [
      n as string,
      (
        {
          tenantId: t.id,
          keyId: 'key_00000000000000000000000000',
          webhookId: 'wh_00000000000000000000000000',
          name: 'link.click',
          eventId: 'msg_00000000000000000000000000',
          deliveryId: 'dlv_00000000000000000000000000',
          sourceId,
        } as Record<string, string>
      )[n as string] ?? 'x',
    ]),
  );

async function refused(op: SpecOperation, what: string, opts: CallOptions, expectedCode?: string | RegExp) {
  const base = authFor(op);
  const r = await h.call(op.operationId, {
    ...base,
    params: validParams(op),
    ...opts,
    query: { ...(base.query ?? {}), ...(opts.query ?? {}) },
    headers: { ...(base.headers ?? {}), ...(opts.headers ?? {}) },
  });
  expectClientProblem(r, `${op.operationId} ${what}`);
  if (expectedCode !== undefined) {
    expect(r.body.code, `${op.operationId} ${what}: ${r.text}`).toMatch(expectedCode);
  }
  codes.set(r.body.code, (codes.get(r.body.code) ?? 0) + 1);
  perOperation.set(op.operationId, (perOperation.get(op.operationId) ?? 0) + 1);
  return r;
}

/** A value of the wrong JSON type for `schema`. */
function wrongTypeFor(schema: JsonObject): unknown {
  const s = resolveSchema(schema);
  const types = ([] as unknown[]).concat(s.type ?? (s.properties ? 'object' : []));
  if (types.includes('string')) {
    return types.includes('integer') || types.includes('number') ? { nested: true } : 12345;
  }
  if (types.includes('integer') || types.includes('number')) {
    return 'not a number';
  }
  if (types.includes('boolean')) {
    return 'yes';
  }
  if (types.includes('array')) {
    return { not: 'an array' };
  }
  if (types.includes('object')) {
    return ['not', 'an', 'object'];
  }
  return undefined; // unconstrained (any JSON): no wrong type exists
}

beforeAll(async () => {
  h = await createSecureHarness();
  t = await h.tenant({ name: 'barrage' });
  await h.eventTypes(t.key, ['link.click']);
  const src = await h.call('createSource', { auth: t.key, body: { name: 'in', eventType: 'link.click' } });
  sourceToken = src.body.token;
  sourceId = src.body.id;
}, 60_000);

afterAll(async () => {
  await h?.close();
}, 60_000);

describe('bad input on every operation', () => {
  const withBody = operations.filter((op) => op.requestBody);

  it('malformed JSON, non-object JSON and a non-JSON media type', async () => {
    for (const op of withBody) {
      for (const raw of ['{"a":', '{"a" 1}', "{'a':1}", '\u0000', '{"a":1}}']) {
        await refused(op, `body ${JSON.stringify(raw)}`, { rawBody: raw }, 'VALIDATION_FAILED');
      }
      for (const value of [42, 'text', [], null, true]) {
        await refused(
          op,
          `body ${JSON.stringify(value)}`,
          { rawBody: JSON.stringify(value) },
          'VALIDATION_FAILED',
        );
      }
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
        await refused(op, contentType, { rawBody: 'a=1', contentType }, 'UNSUPPORTED_MEDIA_TYPE');
      }
    }
  });

  it('a wrong type for every declared field, and unknown fields where the schema forbids them', async () => {
    let fields = 0;
    for (const op of withBody) {
      const schema = resolveSchema(op.requestBody!.schema);
      for (const [name, prop] of Object.entries((schema.properties ?? {}) as Record<string, JsonObject>)) {
        const wrong = wrongTypeFor(prop);
        if (wrong === undefined) {
          continue;
        }
        fields++;
        const r = await refused(op, `/${name} = ${JSON.stringify(wrong)}`, { body: { [name]: wrong } });
        // Event names go through the catalog check (INVALID_EVENTS) only once the body is well-typed.
        expect(r.body.code).toBe('VALIDATION_FAILED');
        expect(
          r.body.errors.map((e: { path: string }) => e.path),
          `${op.operationId} /${name}`,
        ).toContainEqual(expect.stringMatching(new RegExp(`^/${name}(/|$)`)));
      }
      if (schema.additionalProperties === false) {
        const r = await refused(op, 'unknown field', { body: { __unknown_field: 1 } }, 'VALIDATION_FAILED');
        expect(r.body.errors).toContainEqual({ path: '/__unknown_field', message: 'is not allowed' });
      }
    }
    expect(fields).toBeGreaterThan(40);
  });

  it('oversized bodies are 413 PAYLOAD_TOO_LARGE before they are parsed', async () => {
    for (const op of withBody) {
      // The batch route has its own, larger limit (1 MiB by default); 1.5 MiB exceeds both.
      const size = op.operationId === 'publishEventBatch' ? 1536 * 1024 : 300 * 1024;
      await refused(
        op,
        `${size} byte body`,
        { rawBody: `{"pad":"${'x'.repeat(size)}"}` },
        'PAYLOAD_TOO_LARGE',
      );
    }
  });

  it('bad path ids, query values, cursors and header values', async () => {
    const junkIds = [
      'not-an-id',
      'wh_short',
      `wh_${'A'.repeat(300)}`,
      '..%2F..%2Fetc',
      'wh_0000000000000000000000000\u00e9',
    ];
    for (const op of operations) {
      for (const p of op.parameters) {
        if (p.in === 'path') {
          for (const junk of junkIds) {
            const params = { ...validParams(op), [p.name]: junk };
            // The inbound URL answers every unknown source alike (ids are not probeable).
            const expected =
              op.operationId === 'receiveInbound'
                ? /INVALID_TOKEN|VALIDATION_FAILED/
                : /VALIDATION_FAILED|NOT_FOUND/;
            await refused(op, `path ${p.name}=${junk.slice(0, 20)}`, { params }, expected);
          }
        } else if (p.in === 'query' && p.name !== 'token') {
          const s = resolveSchema(p.schema);
          const bad: unknown[] = [];
          if (s.type === 'integer') {
            bad.push('abc', '1.5', '-1', String((s.maximum as number) + 1), '1e400', 'Infinity', '-Infinity');
          } else if (s.type === 'boolean') {
            bad.push('maybe', '2');
          } else if (s.format === 'date-time') {
            bad.push('yesterday', '2026-13-45T99:00:00Z');
          } else if (s.enum) {
            bad.push('no_such_value');
          } else if (p.name === 'cursor') {
            bad.push('!!!', 'x'.repeat(600), Buffer.from('{"l":"other","c":"x"}').toString('base64url'));
          } else if (typeof s.maxLength === 'number') {
            bad.push('x'.repeat((s.maxLength as number) + 1));
          } else if (typeof s.pattern === 'string' || s.$ref) {
            bad.push('not matching');
          }
          for (const value of bad) {
            const expected = p.name === 'cursor' ? /INVALID_CURSOR|VALIDATION_FAILED/ : 'VALIDATION_FAILED';
            await refused(
              op,
              `?${p.name}=${String(value).slice(0, 20)}`,
              { query: { [p.name]: value as string } },
              expected,
            );
          }
        } else if (p.in === 'header') {
          for (const value of ['', 'k'.repeat(300)]) {
            await refused(op, `header ${p.name} (${value.length} chars)`, {
              headers: { [p.name.toLowerCase()]: value },
              body: op.requestBody ? {} : undefined,
            });
          }
        }
      }
    }
  });

  it('bad endpoint URLs and bad event names', async () => {
    const create = operations.find((op) => op.operationId === 'createWebhook')!;
    for (const url of [
      'not a url',
      '/relative/path',
      'https://',
      'javascript:alert(1)',
      'data:text/plain,hi',
      'https://exa mple.com/',
      'https://[::1/',
      'https://example.com:99999/',
      'http://example.com/hook', // http:// outside dev mode
      `https://example.com/${'a'.repeat(5000)}`,
      'https://user:pass@example.com/',
    ]) {
      await refused(
        create,
        `url ${url.slice(0, 40)}`,
        { body: { url } },
        /VALIDATION_FAILED|BLOCKED_URL|INSECURE_URL/,
      );
    }
    const names = ['click', 'Link.Click', 'link.', '.click', 'link..click', 'nope.unknown', 'link.click\n'];
    for (const name of names) {
      const what = `event ${JSON.stringify(name)}`;
      await refused(
        create,
        what,
        { body: { url: 'https://example.com/', events: [name] } },
        /INVALID_EVENTS|VALIDATION_FAILED/,
      );
      const pub = operations.find((op) => op.operationId === 'publishEvent')!;
      await refused(pub, what, { body: { type: name, data: {} } }, 'INVALID_EVENTS');
      const batch = operations.find((op) => op.operationId === 'publishEventBatch')!;
      const r = await refused(
        batch,
        what,
        {
          body: {
            events: [
              { type: 'link.click', data: {} },
              { type: name, data: {} },
            ],
          },
        },
        'INVALID_EVENTS',
      );
      expect(JSON.stringify(r.body), 'points at the offending event').toContain('1');
      const source = operations.find((op) => op.operationId === 'createSource')!;
      await refused(
        source,
        what,
        { body: { name: 's', eventType: name } },
        /INVALID_EVENTS|VALIDATION_FAILED/,
      );
      const type = operations.find((op) => op.operationId === 'createEventType')!;
      if (name !== 'nope.unknown') {
        await refused(type, what, { body: { name } }, 'VALIDATION_FAILED');
      }
    }
    // Nothing of the barrage was stored.
    const events = await h.call('listEvents', { auth: t.key });
    expect(events.body.data).toEqual([]);
    const hooks = await h.call('listWebhooks', { auth: t.key });
    expect(hooks.body.data).toEqual([]);
  });

  it('bodies nested deeper than the limit are 400 on every operation, before anything recurses over them', async () => {
    // 10,000 nested arrays are 20 KB: once JSON.stringify overflowed the stack on them (publish answered 500).
    const deep = `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    for (const op of withBody) {
      const r = await refused(op, 'nested 10,000 deep', { rawBody: deep }, 'VALIDATION_FAILED');
      expect(r.body.errors[0].message).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
    }
    // Brackets inside strings are text, and real payloads nest far less than the limit.
    const ok = await h.call('publishEvent', {
      auth: t.key,
      rawBody: `{"type":"link.click","data":{"s":"${'['.repeat(500)}","x":${'['.repeat(100)}${']'.repeat(100)}}}`,
    });
    expect(ok.status, ok.text).toBe(202);
    expect(jsonDepth('{"a":[1,{"b":"]\\"["}]}')).toBe(3);
  });

  it('still serves after the barrage: /healthz and a normal publish', async () => {
    const health = await h.call('getHealth');
    expect(health.status).toBe(200);
    const pub = await h.call('publishEvent', { auth: t.key, body: { type: 'link.click', data: { ok: 1 } } });
    expect(pub.status).toBe(202);
    const raw: CallResult = await h.raw('GET', '/healthz');
    expectMatchesSpec('getHealth', raw);
    const untouched = operations
      .filter((op) => !perOperation.has(op.operationId))
      .map((op) => op.operationId);
    const total = [...codes.values()].reduce((a, b) => a + b, 0);
    console.log(
      `bad input: ${total} refused requests over ${perOperation.size} operations ` +
        `(${untouched.length} take no input at all: ${untouched.join(', ')}); ` +
        [...codes].map(([c, n]) => `${n}x ${c}`).join(', '),
    );
    // Only operations without any parameter or body can escape the barrage.
    for (const id of untouched) {
      const op = operations.find((o) => o.operationId === id)!;
      expect(op.requestBody, id).toBeUndefined();
      expect(
        op.parameters.filter((p) => p.name !== 'token'),
        id,
      ).toEqual([]);
    }
  });
});
