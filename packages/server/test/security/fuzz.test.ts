import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import {
  isWebhookVerificationError,
  type VerificationErrorCode,
  verificationErrorCodes,
  verify,
} from '@hookwire/signatures';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemeOf } from '../../src/dispatcher/sign-request.js';
import type { SignatureConfig } from '../../src/store/store.js';
import { createSecureHarness, expectMatchesSpec, type SecureHarness } from './support.js';

/**
 * Property-based fuzzing (fast-check, bounded runs):
 * 1. the inbound URL `/in/{sourceId}` under random source ids, tokens (and where they are sent), media types,
 *    headers and bodies: never a 5xx, always an answer the spec declares, and a 202 only ever for the real
 *    source with its real token;
 * 2. the signature header parsers, fed with mutations of the headers the server itself sends for every
 *    signature configuration (captured from real test sends): a mutation is either still valid because the
 *    original signature is still in it, or rejected with a typed verification error; nothing else is thrown.
 * A failing run prints fast-check's seed and the shrunk counterexample.
 */

const RUNS = 250;
const VALID_PAYLOAD = {
  event: 'purchase',
  first_name: 'Sarah',
  city: 'London',
  country: 'UK',
  product: 'Running Shoes',
  timestamp: '2026-02-28T14:30:00Z',
};

let h: SecureHarness;
let key: string;
let live: { id: string; token: string };
let other: { id: string; token: string };

beforeAll(async () => {
  h = await createSecureHarness({ dev: true });
  const t = await h.tenant({ name: 'fuzz' });
  key = t.key;
  await h.eventTypes(key, ['activity.purchase']);
  const mk = async (name: string) =>
    (await h.call('createSource', { auth: key, body: { name, eventType: 'activity.purchase' } })).body as {
      id: string;
      token: string;
    };
  live = await mk('live');
  other = await mk('other');
}, 60_000);

afterAll(async () => {
  await h?.close();
}, 60_000);

const printable = (max: number) =>
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    maxLength: max,
  });
const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);

type Mutation =
  | { kind: 'replace'; value: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; to: string }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'duplicate'; sep: string }
  | { kind: 'case' }
  | { kind: 'remove' };

/** One header-value mutation; `undefined` = the header is dropped. */
function mutate(value: string, m: Mutation): string | undefined {
  switch (m.kind) {
    case 'replace':
      return m.value;
    case 'truncate':
      return value.slice(0, m.at % (value.length + 1));
    case 'flip': {
      const i = m.at % Math.max(1, value.length);
      return value.slice(0, i) + m.to + value.slice(i + 1);
    }
    case 'insert': {
      const i = m.at % (value.length + 1);
      return value.slice(0, i) + m.text + value.slice(i);
    }
    case 'duplicate':
      return `${value}${m.sep}${value}`;
    case 'case':
      return value.toUpperCase() === value ? value.toLowerCase() : value.toUpperCase();
    case 'remove':
      return undefined;
  }
}

describe('fuzz: the inbound URL', () => {
  it(`never answers 5xx, always as the spec says, and 202 only for the real token (${RUNS} runs)`, async () => {
    // Weighted towards the real source and token, so most runs get past auth into media type and body handling.
    const sourceIdArb = fc.oneof(
      { arbitrary: fc.constant('LIVE'), weight: 8 },
      fc.constant(other.id),
      fc.stringMatching(/^src_[0-9A-Za-z]{20,40}$/),
      printable(40).map((s) => encodeURIComponent(s) || 'x'),
    );
    const tokenArb = fc.oneof(
      { arbitrary: fc.constant('VALID'), weight: 8 },
      fc.constant(undefined),
      fc.constant(other.token),
      printable(80),
      fc.integer({ min: 0, max: 40 }).map((i) => `${live.token.slice(0, i)}x${live.token.slice(i + 1)}`),
      fc.constant('VALID_SUFFIXED'),
    );
    const contentTypeArb = fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'APPLICATION/JSON',
        'application/vnd.vendor+json',
        'application/json; charset=latin1',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=xyz',
        '',
      ),
      printable(40),
    );
    const bodyArb = fc.oneof(
      { arbitrary: fc.constant(JSON.stringify(VALID_PAYLOAD)), weight: 3 },
      fc
        .record(
          { ...Object.fromEntries(Object.keys(VALID_PAYLOAD).map((k) => [k, fc.jsonValue()])) },
          { requiredKeys: [] },
        )
        .map((o) => JSON.stringify(o)),
      fc.json({ maxDepth: 4 }),
      printable(200),
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      fc.integer({ min: 1, max: 20_000 }).map((n) => '['.repeat(n)),
      fc.constant(`{"pad":"${'x'.repeat(300 * 1024)}"}`),
    );
    const headersArb = fc.dictionary(
      fc.oneof(
        headerName,
        fc.constantFrom(
          'idempotency-key',
          'x-request-id',
          'content-encoding',
          'authorization',
          'x-hookwire-token',
        ),
      ),
      printable(100),
      { maxKeys: 6 },
    );
    const placementArb = fc.constantFrom('query', 'header', 'both-conflicting');

    let accepted = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        sourceIdArb,
        tokenArb,
        placementArb,
        contentTypeArb,
        bodyArb,
        headersArb,
        async (sid, tok, where, ct, body, extra) => {
          const sourceId = sid === 'LIVE' ? live.id : sid;
          const token = tok === 'VALID' ? live.token : tok === 'VALID_SUFFIXED' ? `${live.token}x` : tok;
          const headers: Record<string, string> = { ...extra };
          let url = `/in/${sourceId}`;
          if (token !== undefined) {
            if (where !== 'header') {
              url += `?token=${encodeURIComponent(token)}`;
            }
            if (where !== 'query') {
              headers['x-hookwire-token'] = where === 'both-conflicting' ? `${token}-other` : token;
            }
          }
          const r = await h.raw('POST', url, {
            rawBody: body,
            contentType: ct || 'application/octet-stream',
            headers,
          });
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          expect(r.status, r.text.slice(0, 300)).toBeLessThan(500);
          expectMatchesSpec('receiveInbound', r);
          if (r.status === 202) {
            accepted++;
            // Accepted only for a real source with that source's own token, in whichever slot was read.
            const own = [live, other].find((s) => s.id === sourceId);
            expect(own, `202 for ${sourceId}`).toBeDefined();
            expect(
              url.includes(`token=${encodeURIComponent(own!.token)}`) ||
                headers['x-hookwire-token'] === own!.token,
            ).toBe(true);
          }
        },
      ),
      { numRuns: RUNS },
    );
    console.log(
      `inbound fuzz: ${RUNS} runs, ${accepted} accepted; statuses ${[...statuses]
        .sort()
        .map(([s, n]) => `${s}x${n}`)
        .join(' ')}`,
    );
    expect((await h.call('getHealth')).status).toBe(200);
  });
});

describe('fuzz: raw HTTP to the listening server', () => {
  /** Writes `bytes` to a fresh connection and collects what comes back until the server closes (bounded). */
  const exchange = (port: number, bytes: Buffer) =>
    new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
      const done = () => resolve(Buffer.concat(chunks).toString('latin1'));
      socket.setTimeout(3000, () => socket.destroy());
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('error', done);
      socket.on('close', done);
    });

  it(`malformed request lines, header lines (CR/LF, NUL, duplicates) and framing never crash it (${RUNS / 5} runs)`, async () => {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (h.app.server.address() as AddressInfo).port;
    const line = fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b).toString('latin1'));
    // Mostly well-formed pieces, so requests get past the request line and into header and body handling.
    const headerLine = fc.oneof(
      { arbitrary: line, weight: 1 },
      { arbitrary: printable(60).map((v) => `x-fuzz: ${v}`), weight: 3 },
      {
        arbitrary: fc.constantFrom(
          `x-hookwire-token: ${live.token}`,
          `x-hookwire-token: ${live.token}\r\nx-hookwire-token: ${other.token}`,
          'content-length: 5',
          'content-length: -1',
          'content-length: 99999999999999999999',
          'transfer-encoding: chunked',
          'transfer-encoding: chunked, identity',
          'content-type: application/json',
          'content-type: application/json\u0000',
          'expect: 100-continue',
          'host:',
        ),
        weight: 3,
      },
    );
    const statuses = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'P OST', ''),
        fc.oneof(
          { arbitrary: fc.constant(`/in/${live.id}`), weight: 3 },
          line.map((l) => `/in/${l}`),
        ),
        fc.array(headerLine, { maxLength: 6 }),
        fc.oneof(fc.constant(JSON.stringify(VALID_PAYLOAD)), line, fc.constant('5\r\nhello\r\n0\r\n\r\n')),
        async (method, path, headers, body) => {
          // Framed by a correct Content-Length unless the fuzzed headers bring their own framing.
          const framed = headers.some((l) => /^(content-length|transfer-encoding):/i.test(l))
            ? headers
            : [...headers, `content-length: ${Buffer.byteLength(body, 'latin1')}`];
          const request = `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${framed.join('\r\n')}\r\n\r\n${body}`;
          const answer = await exchange(port, Buffer.from(request, 'latin1'));
          const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 'closed';
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          expect(status, answer.slice(0, 300)).not.toMatch(/^5/);
        },
      ),
      { numRuns: RUNS / 5 },
    );
    console.log(
      `raw HTTP fuzz: ${[...statuses]
        .sort()
        .map(([s, n]) => `${s}x${n}`)
        .join(' ')}`,
    );
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
  });
});

describe('fuzz: signature header parsers over what the server sends', () => {
  const CONFIGS: [string, SignatureConfig][] = [
    ['standard', { scheme: 'standard' }],
    ['standard (svix headers)', { scheme: 'standard', headerPrefix: 'svix' }],
    ['timestamped s v1 (Linka Factory)', { scheme: 'timestamped', header: 'X-Linka-Factory-Signature' }],
    [
      'timestamped ms {body} (Aktify v1)',
      { scheme: 'timestamped', header: 'aktify-signature', unit: 'ms', content: '{body}' },
    ],
    [
      'timestamped ms v2 (Aktify v2)',
      { scheme: 'timestamped', header: 'aktify-signature', unit: 'ms', version: 'v2' },
    ],
    ['hmac sha256= (Acturity)', { scheme: 'hmac', header: 'X-Acturity-Signature', prefix: 'sha256=' }],
    ['hmac bare hex (AWSYS.CO)', { scheme: 'hmac', header: 'X-AWSYS-Signature' }],
    ['hmac base64', { scheme: 'hmac', header: 'X-Sig', encoding: 'base64' }],
  ];
  let receiver: Server;
  const captured: { headers: IncomingHttpHeaders; body: string }[] = [];
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        captured.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it.each(CONFIGS)(
    '%s: mutated headers verify only with the original signature inside, else a typed error',
    async (_name, config) => {
      const port = (receiver.address() as AddressInfo).port;
      const w = await h.call('createWebhook', {
        auth: key,
        body: { url: `http://127.0.0.1:${port}/hook`, signature: config },
      });
      expect(w.status, w.text).toBe(201);
      const sent = await h.call('sendTestEvent', { auth: key, params: { webhookId: w.body.id } });
      expect(sent.body.succeeded).toBe(true);
      const { headers, body } = captured.at(-1)!;
      const scheme = schemeOf(config);
      const secret = w.body.secret as string;
      const at = new Date(sent.body.attempt.startedAt);
      const plain = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]));
      await expect(verify(scheme, { secret, body, headers: plain, now: at })).resolves.toBeDefined();

      // The headers this scheme reads. `webhook-id` rides along on every delivery (dedupe) but only the
      // standard scheme signs it.
      const prefix = config.headerPrefix ?? 'webhook';
      const signed =
        config.scheme === 'standard'
          ? [`${prefix}-id`, `${prefix}-timestamp`, `${prefix}-signature`]
          : [config.header!.toLowerCase()];
      for (const name of signed) {
        expect(plain[name], name).toBeTypeOf('string');
      }
      const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
        fc.record({ kind: fc.constant('replace' as const), value: printable(120) }),
        fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(200) }),
        fc.record({ kind: fc.constant('flip' as const), at: fc.nat(200), to: printable(1) }),
        fc.record({
          kind: fc.constant('insert' as const),
          at: fc.nat(200),
          text: fc.constantFrom(' ', ',', '=', ', ', 'v1,', 'v1=', 't=', '\t', '==', '.', 'v1a,', 'V1,'),
        }),
        fc.record({ kind: fc.constant('duplicate' as const), sep: fc.constantFrom(', ', ' ', ',', '') }),
        fc.record({ kind: fc.constant('case' as const) }),
        fc.record({ kind: fc.constant('remove' as const) }),
      );
      const codes = new Map<VerificationErrorCode | 'verified', number>();
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...signed),
          fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
          async (name, mutations) => {
            const original = plain[name]!;
            let value: string | undefined = original;
            for (const m of mutations) {
              if (value === undefined) {
                break;
              }
              value = mutate(value, m);
            }
            const mutated = { ...plain };
            if (value === undefined) {
              delete mutated[name];
            } else {
              mutated[name] = value;
            }
            try {
              await verify(scheme, { secret, body, headers: mutated, now: at });
              codes.set('verified', (codes.get('verified') ?? 0) + 1);
              // Still valid only because the signed material survived intact: the same value (HTTP trims
              // surrounding whitespace), or a signature list that still holds the original entries verbatim.
              const entries = original.split(/[ ,]/).filter((e) => e.length >= 16);
              const intact =
                value !== undefined &&
                (value.trim() === original ||
                  (name === signed.at(-1) && entries.length > 0 && entries.every((e) => value!.includes(e))));
              expect(
                intact,
                `${name}: ${JSON.stringify(original)} -> ${JSON.stringify(value)} verified`,
              ).toBe(true);
            } catch (err) {
              if (!isWebhookVerificationError(err)) {
                throw new Error(
                  `${name}: ${JSON.stringify(value)} threw a non-verification error: ${String(err)}`,
                );
              }
              expect(verificationErrorCodes).toContain(err.code);
              codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
            }
          },
        ),
        { numRuns: RUNS },
      );
      // A body changed after signing never verifies.
      await expect(
        verify(scheme, { secret, body: `${body} `, headers: plain, now: at }),
      ).rejects.toMatchObject({
        code: 'no_matching_signature',
      });
      console.log(
        `signature fuzz ${_name}: headers ${signed.join(', ')}; ${[...codes].map(([c, n]) => `${n}x ${c}`).join(', ')}`,
      );
    },
  );
});
