import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteLength, isCanonicalBase64 } from '../src/bytes.js';
import { isStrictInteger } from '../src/context.js';
import { createNodeCryptoBackend, loadNodeCrypto } from '../src/crypto/node.js';
import {
  base64Decode,
  base64Encode,
  derivePublicKey,
  fromConfig,
  generateKeyPair,
  generateMessageId,
  generateSecret,
  getHeader,
  hexDecode,
  hexEncode,
  isRawBody,
  isWebhookVerificationError,
  parseStandardSignatureHeader,
  parseTimestampedSignatureHeader,
  schemes,
  sign,
  signUrl,
  timingSafeEqual,
  toBytes,
  verify,
  WebhookConfigError,
  WebhookVerificationError,
} from '../src/index.js';
import { isReceivedId } from '../src/schemes/standard.js';
import { backends } from './backends.js';

async function code(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => (isWebhookVerificationError(e) ? e.code : `not a WebhookVerificationError: ${String(e)}`),
  );
}

describe('timingSafeEqual', () => {
  it('compares the bytes a subarray views, not its whole buffer', () => {
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
    expect(timingSafeEqual(backing.subarray(2, 5), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(timingSafeEqual(backing.subarray(1, 4), new Uint8Array([1, 2, 3]))).toBe(false);
    expect(timingSafeEqual(Buffer.from([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
  });
  it('returns false for different lengths and for one differing byte', () => {
    expect(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]))).toBe(false);
    expect(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
    expect(timingSafeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
  it('agrees with byte-wise equality on random offset views (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array(), fc.uint8Array(), fc.nat(8), (a, b, off) => {
        const padded = new Uint8Array(a.length + off);
        padded.set(a, off);
        const view = padded.subarray(off);
        const same = a.length === b.length && a.every((x, i) => x === b[i]);
        return timingSafeEqual(view, b) === same && timingSafeEqual(view, a);
      }),
    );
  });
});

describe('bytes', () => {
  it('toBytes keeps bytes, encodes strings as UTF-8 and views ArrayBuffers and DataViews', () => {
    const u = new Uint8Array([1, 2]);
    expect(toBytes(u)).toBe(u);
    expect([...toBytes('é')]).toEqual([0xc3, 0xa9]);
    expect([...toBytes(new Uint8Array([5, 6]).buffer)]).toEqual([5, 6]);
    const dv = new DataView(new Uint8Array([0, 7, 8, 0]).buffer, 1, 2);
    expect([...toBytes(dv)]).toEqual([7, 8]);
    expect(isRawBody({})).toBe(false);
  });
  it.each([
    ['an object', { a: 1 }, 'object'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a number', 42, 'number'],
  ])('toBytes rejects %s with body_already_parsed and names the fix', (_n, value, what) => {
    let error: unknown;
    try {
      toBytes(value as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).code).toBe('body_already_parsed');
    const message = (error as Error).message;
    expect(message).toContain('the body was parsed before verification: pass the raw body');
    expect(message).toContain('express.raw');
    expect(message).toContain('bodyParser: false');
    expect(message).toContain("parseAs: 'buffer'");
    expect(message).toContain(`received ${what}`);
  });
  it('byteLength counts UTF-8 bytes, including lone surrogates as 3', () => {
    for (const s of ['', 'abc', 'é', '€', '😀', '\ud800', '\ud800x', 'a😀b€']) {
      expect(byteLength(s)).toBe(Buffer.byteLength(s));
    }
    expect(byteLength(new Uint8Array(5))).toBe(5);
  });
  it('base64 round-trips and rejects non-canonical or foreign input', () => {
    fc.assert(
      fc.property(fc.uint8Array(), (a) => {
        const text = base64Encode(a);
        return (
          text === Buffer.from(a).toString('base64') &&
          Buffer.from(base64Decode(text, true)!).equals(Buffer.from(a))
        );
      }),
    );
    expect(base64Decode('abc', true)).toBeUndefined();
    expect(base64Decode('ab-_', true)).toBeUndefined();
    expect(base64Decode('abé=', true)).toBeUndefined();
    expect(base64Decode('a', false)).toBeUndefined();
    expect(base64Decode('ab=', false)).toBeUndefined();
    expect(base64Decode('AB==', true)).toBeUndefined(); // non-zero trailing bits
    expect([...base64Decode('AQ', false)!]).toEqual([1]);
  });
  it('hex round-trips lower case only', () => {
    expect(hexEncode(new Uint8Array([0, 15, 255]))).toBe('000fff');
    expect([...hexDecode('000fff')!]).toEqual([0, 15, 255]);
    expect(hexDecode('0F')).toBeUndefined();
    expect(hexDecode('abc')).toBeUndefined();
    expect(hexDecode('zz')).toBeUndefined();
  });
});

describe('getHeader', () => {
  it('reads a fetch Headers case-insensitively, joining duplicates with ", "', () => {
    const h = new Headers();
    h.append('Webhook-Signature', 'v1,AAA=');
    h.append('webhook-signature', 'v1,BBB=');
    expect(getHeader(h, 'webhook-signature')).toBe('v1,AAA=, v1,BBB=');
    expect(getHeader(h, 'webhook-id')).toBeUndefined();
  });
  it('reads Node-style objects: arrays joined, undefined and non-strings ignored', () => {
    expect(getHeader({ 'x-a': ['1', '2'] }, 'x-a')).toBe('1, 2');
    expect(getHeader({ 'X-A': 'v' }, 'x-a')).toBe('v');
    expect(getHeader({ 'x-a': undefined }, 'x-a')).toBeUndefined();
    expect(getHeader({ 'x-a': 5 } as never, 'x-a')).toBeUndefined();
    expect(getHeader({ 'x-ab': 'v' }, 'x-a')).toBeUndefined();
  });
});

describe('errors', () => {
  it('isWebhookVerificationError recognises copies by name and code', () => {
    const foreign = Object.assign(new Error('x'), {
      name: 'WebhookVerificationError',
      code: 'missing_header',
    });
    expect(isWebhookVerificationError(foreign)).toBe(true);
    expect(isWebhookVerificationError(new Error('x'))).toBe(false);
    expect(isWebhookVerificationError({ name: 'WebhookVerificationError', code: 'x' })).toBe(false);
    const e = new WebhookVerificationError('malformed_header', 'm', { cause: 1 });
    expect(e.cause).toBe(1);
    expect(e.name).toBe('WebhookVerificationError');
  });
});

describe('header parsers never throw anything but WebhookVerificationError (property)', () => {
  const onlyOurs = (fn: () => unknown) => {
    try {
      fn();
      return true;
    } catch (e) {
      return e instanceof WebhookVerificationError && e.code === 'malformed_header';
    }
  };
  const alphabet = fc.constantFrom(...'v1a,= t0V+/ABCxyz9\r\n\t.-_é'.split(''));
  it('parseStandardSignatureHeader', () => {
    fc.assert(
      fc.property(fc.string(), (s) => onlyOurs(() => parseStandardSignatureHeader(s))),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }), (chars) =>
        onlyOurs(() => parseStandardSignatureHeader(chars.join(''))),
      ),
      { numRuns: 2000 },
    );
  });
  it('parseTimestampedSignatureHeader', () => {
    fc.assert(
      fc.property(fc.string(), (s) => onlyOurs(() => parseTimestampedSignatureHeader(s))),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }), (chars) =>
        onlyOurs(() => parseTimestampedSignatureHeader(chars.join(''))),
      ),
      { numRuns: 2000 },
    );
  });
  it('parses what it should', () => {
    expect(parseStandardSignatureHeader(' v1,abc=  v1a,def= v2,x ')).toEqual([
      { version: 'v1', signature: 'abc=' },
      { version: 'v1a', signature: 'def=' },
      { version: 'v2', signature: 'x' },
    ]);
    expect(() => parseStandardSignatureHeader(Array(33).fill('v1,a').join(' '))).toThrow(/more than 32/);
    expect(parseTimestampedSignatureHeader('t=1,v1=ab,v0=cd')).toEqual({
      timestamp: '1',
      signatures: [
        { version: 'v1', signature: 'ab' },
        { version: 'v0', signature: 'cd' },
      ],
    });
    expect(() => parseTimestampedSignatureHeader(`t=1${',v1=a'.repeat(33)}`)).toThrow(/more than 32/);
  });
});

describe('the scans that replaced regexes on the verify path agree with them (property, #3)', () => {
  // The regexes as they were: the reference each scan must match on every input.
  const STRICT_INTEGER = /^(?:0|[1-9][0-9]{0,15})$/;
  const RECEIVED_ID = /^[\x21-\x7e]{1,256}$/;
  const SEPARATOR = /,? +/;
  const ENTRY = /^(v[0-9]+[a-z]*),([\x21-\x2b\x2d-\x7e]+)$/;
  function referenceParse(value: string): { version: string; signature: string }[] | string {
    const parts = value.trim().split(SEPARATOR);
    if (parts.length > 32) {
      return 'too many';
    }
    const entries: { version: string; signature: string }[] = [];
    for (const part of parts) {
      const m = ENTRY.exec(part);
      if (m === null) {
        return `malformed ${JSON.stringify(part.slice(0, 40))}`;
      }
      entries.push({ version: m[1]!, signature: m[2]! });
    }
    return entries;
  }
  function ours(value: string): { version: string; signature: string }[] | string {
    try {
      return parseStandardSignatureHeader(value);
    } catch (e) {
      const message = (e as Error).message;
      return message.includes('more than')
        ? 'too many'
        : `malformed ${message.slice(message.indexOf('got ') + 4)}`;
    }
  }
  const headerChars = fc.constantFrom(...'v1a,= t0V+/ABCxyz9\r\n\t.-_é\u00a0\ufeff~!'.split(''));
  const headerLike = fc.oneof(
    fc.string(),
    fc.array(headerChars, { maxLength: 60 }).map((c) => c.join('')),
    fc
      .tuple(fc.constantFrom('v1', 'v1a', 'v2', 'V1', 'v', 'v01b', ''), fc.string({ maxLength: 50 }))
      .map(([v, sig]) => `${v},${sig}`),
  );

  it('parseStandardSignatureHeader (single-entry fast path) vs the regex parser', () => {
    fc.assert(
      fc.property(headerLike, (value) => {
        expect(ours(value)).toEqual(referenceParse(value));
      }),
      { numRuns: 5000 },
    );
    for (const value of [
      'v1,abc=',
      'v1,',
      ',abc',
      'v1abc',
      'v10zz,a',
      'v1,a,b',
      'v1,a b',
      'v1,a\n',
      ' v1,a',
      '',
    ]) {
      expect(ours(value), value).toEqual(referenceParse(value));
    }
  });

  it('the strict timestamp integer and the received id', () => {
    const digits = fc
      .array(fc.constantFrom(...'0123456789-+ .e'.split('')), { maxLength: 20 })
      .map((c) => c.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), digits), (text) => {
        expect(isStrictInteger(text)).toBe(STRICT_INTEGER.test(text));
      }),
      { numRuns: 5000 },
    );
    for (const text of ['0', '00', '01', '1', '1234567890123456', '12345678901234567', '']) {
      expect(isStrictInteger(text), text).toBe(STRICT_INTEGER.test(text));
    }
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ minLength: 250, maxLength: 260 })), (id) => {
        expect(isReceivedId(id)).toBe(RECEIVED_ID.test(id));
      }),
      { numRuns: 5000 },
    );
    for (const id of ['', 'a', 'a'.repeat(256), 'a'.repeat(257), 'msg 1', 'msg\u007f', 'msg~!']) {
      expect(isReceivedId(id), id).toBe(RECEIVED_ID.test(id));
    }
  });
});

describe('schemes', () => {
  it('builds plain JSON configs with defaults and round-trips them through fromConfig', () => {
    const all = [
      schemes.standard(),
      schemes.standard({ asymmetric: true, headerPrefix: 'SVIX' }),
      schemes.timestamped({ header: 'Stripe-Signature' }),
      schemes.timestamped({ header: 'aktify-signature', unit: 'ms', version: 'v1', content: '{body}' }),
      schemes.hmac({ header: 'X-Acturity-Signature', prefix: 'sha256=' }),
      schemes.hmac({ header: 'x-awsys-signature', encoding: 'base64' }),
      schemes.token(),
      schemes.token({ header: 'X-Token' }),
      schemes.token({ query: 'key', header: 'x-token' }),
    ];
    expect(all).toMatchSnapshot();
    for (const s of all) {
      expect(fromConfig(JSON.parse(JSON.stringify(s)))).toEqual(s);
      expect(schemes.fromConfig(s)).toEqual(s);
    }
  });
  it.each([
    ['standard prefix', () => schemes.standard({ headerPrefix: 'bad prefix' })],
    ['timestamped header', () => schemes.timestamped({ header: 'bad header' })],
    ['timestamped missing options', () => schemes.timestamped(undefined as never)],
    ['timestamped unit', () => schemes.timestamped({ header: 'x', unit: 'us' as never })],
    ['timestamped version', () => schemes.timestamped({ header: 'x', version: 't' })],
    ['timestamped version case', () => schemes.timestamped({ header: 'x', version: 'V1' })],
    ['content without body', () => schemes.timestamped({ header: 'x', content: '{t}' })],
    ['content with two bodies', () => schemes.timestamped({ header: 'x', content: '{body}{body}' })],
    ['content with unknown placeholder', () => schemes.timestamped({ header: 'x', content: '{id}.{body}' })],
    ['hmac header', () => schemes.hmac({ header: '' })],
    ['hmac missing options', () => schemes.hmac(undefined as never)],
    ['hmac prefix', () => schemes.hmac({ header: 'x', prefix: 'a b' })],
    ['hmac prefix type', () => schemes.hmac({ header: 'x', prefix: 5 as never })],
    ['hmac encoding', () => schemes.hmac({ header: 'x', encoding: 'base32' as never })],
    ['token query', () => schemes.token({ query: '' })],
    ['token header', () => schemes.token({ header: 'a b' })],
    ['fromConfig null', () => fromConfig(null)],
    ['fromConfig kind', () => fromConfig({ kind: 'jwt' })],
    ['fromConfig field type', () => fromConfig({ kind: 'hmac', header: 5 })],
    ['fromConfig asymmetric type', () => fromConfig({ kind: 'standard', asymmetric: 'yes' })],
    ['fromConfig missing header', () => fromConfig({ kind: 'timestamped' })],
    ['fromConfig missing hmac header', () => fromConfig({ kind: 'hmac' })],
  ])('rejects an invalid config: %s', (_n, build) => {
    expect(build).toThrow(WebhookConfigError);
  });
});

describe('secrets and keys', () => {
  it('generateSecret gives whsec_ + base64 of 24-64 random bytes, never fewer', () => {
    const s = generateSecret();
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(s.slice(6), 'base64')).toHaveLength(32);
    expect(Buffer.from(generateSecret(24).slice(6), 'base64')).toHaveLength(24);
    expect(Buffer.from(generateSecret(64).slice(6), 'base64')).toHaveLength(64);
    expect(generateSecret()).not.toBe(s);
    for (const n of [0, 16, 23, 65, 24.5, Number.NaN]) {
      expect(() => generateSecret(n)).toThrow(RangeError);
    }
  });
  it('generateMessageId never contains "."', () => {
    for (let i = 0; i < 50; i++) {
      expect(generateMessageId()).toMatch(/^msg_[A-Za-z0-9]{24}$/);
    }
  });

  describe.each(backends)('with %s', (_name, backend) => {
    it('generateKeyPair signs v1a that verifies with the whpk_ (and the whsk_) key', async () => {
      const { secretKey, publicKey } = await generateKeyPair(backend);
      expect(secretKey).toMatch(/^whsk_[A-Za-z0-9+/]{43}=$/);
      expect(publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
      expect(await derivePublicKey(secretKey, backend)).toBe(publicKey);
      const scheme = schemes.standard({ asymmetric: true });
      const headers = await sign(scheme, { secret: secretKey, body: 'hi', crypto: backend });
      expect(headers['webhook-signature']).toMatch(/^v1a,/);
      expect((await verify(scheme, { secret: publicKey, body: 'hi', headers, crypto: backend })).id).toBe(
        headers['webhook-id'],
      );
      expect(await verify(scheme, { secret: secretKey, body: 'hi', headers, crypto: backend })).toBeTruthy();
      const raw = new Uint8Array(Buffer.from(publicKey.slice(5), 'base64'));
      expect(await verify(scheme, { secret: raw, body: 'hi', headers, crypto: backend })).toBeTruthy();
      expect(await code(verify(scheme, { secret: 'whpk_', body: 'hi', headers, crypto: backend }))).toBe(
        'invalid_secret',
      );
    });
    it('rejects Ed25519 keys of the wrong size and a v1a signature of the wrong length', async () => {
      const scheme = schemes.standard({ asymmetric: true });
      expect(await code(sign(scheme, { secret: 'whsk_AAAA', body: 'x', crypto: backend }))).toBe(
        'invalid_secret',
      );
      expect(await code(sign(scheme, { secret: new Uint8Array(31), body: 'x', crypto: backend }))).toBe(
        'invalid_secret',
      );
      const seed = new Uint8Array(64).fill(3);
      const headers = await sign(scheme, { secret: seed, body: 'x', crypto: backend });
      const pub = await derivePublicKey(
        `whsk_${Buffer.from(seed.subarray(0, 32)).toString('base64')}`,
        backend,
      );
      expect(await verify(scheme, { secret: pub, body: 'x', headers, crypto: backend })).toBeTruthy();
      const short = { ...headers, 'webhook-signature': 'v1a,AAAA' };
      expect(await code(verify(scheme, { secret: pub, body: 'x', headers: short, crypto: backend }))).toBe(
        'no_matching_signature',
      );
    });
  });
});

describe.each(backends)('sign and verify with %s', (_name, backend) => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const all = [
    schemes.standard(),
    schemes.timestamped({ header: 'x-linka-factory-signature' }),
    schemes.timestamped({
      header: 'aktify-signature',
      unit: 'ms',
      version: 'v2',
      content: 'pre-{t}-{body}-post',
    }),
    schemes.hmac({ header: 'x-acturity-signature', prefix: 'sha256=' }),
    schemes.hmac({ header: 'x-sig', encoding: 'base64' }),
    schemes.token({ header: 'x-token' }),
  ];
  it.each(all.map((s) => [s.kind, s] as const))(
    '%s round-trips every body type (property)',
    async (_k, scheme) => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ maxLength: 300 }),
          fc.constantFrom('bytes', 'buffer', 'arraybuffer'),
          async (b, form) => {
            const body = form === 'bytes' ? b : form === 'buffer' ? Buffer.from(b) : b.slice().buffer;
            const headers = await sign(scheme, { secret, body, crypto: backend });
            await verify(scheme, { secret, body, headers: new Headers(headers), crypto: backend });
            return true;
          },
        ),
        { numRuns: 25 },
      );
    },
  );
  it('a string body is signed as its UTF-8 bytes', async () => {
    const scheme = schemes.standard();
    const text = 'héllo 😀';
    const headers = await sign(scheme, { secret, body: text, crypto: backend });
    await expect(
      verify(scheme, { secret, body: Buffer.from(text), headers, crypto: backend }),
    ).resolves.toBeTruthy();
  });
  it('several secrets put several signatures in standard and timestamped headers; hmac and token use the first', async () => {
    const secrets = [secret, 'whsec_QWxsIHlvdXIgYmFzZSBhcmUgYmVsb25nIHRvIHVz'];
    const std = await sign(schemes.standard(), { secrets, body: 'b', crypto: backend });
    expect(std['webhook-signature']!.split(' ')).toHaveLength(3 - 1);
    const ts = await sign(schemes.timestamped({ header: 'x-s' }), { secrets, body: 'b', crypto: backend });
    expect(ts['x-s']!.split(',')).toHaveLength(3);
    const hm = await sign(schemes.hmac({ header: 'x-h' }), { secrets, body: 'b', crypto: backend });
    await expect(
      verify(schemes.hmac({ header: 'x-h' }), {
        secret: secrets[0]!,
        body: 'b',
        headers: hm,
        crypto: backend,
      }),
    ).resolves.toEqual({});
    const tk = await sign(schemes.token({ header: 'x-t' }), {
      secrets: [new TextEncoder().encode('tok')],
      body: '',
    });
    expect(tk).toEqual({ 'x-t': 'tok' });
  });
  it('a token in a header, with the query as a fallback', async () => {
    const scheme = schemes.token({ query: 'token', header: 'x-token' });
    const ok = { secret: 'tok', body: '', crypto: backend };
    await expect(verify(scheme, { ...ok, headers: { 'x-token': 'tok' } })).resolves.toEqual({});
    await expect(verify(scheme, { ...ok, headers: {}, url: '/in?token=tok' })).resolves.toEqual({});
    expect(await code(verify(schemes.token({ header: 'x-token' }), { ...ok, headers: {} }))).toBe(
      'missing_header',
    );
    expect(await code(verify(scheme, { ...ok, headers: {}, url: 'http://[::1' }))).toBe('malformed_header');
  });
  it('rejects invalid signing inputs', async () => {
    const s = schemes.standard();
    await expect(sign(s, { secret, body: 'b', id: 'msg.1', crypto: backend })).rejects.toThrow(
      WebhookConfigError,
    );
    await expect(sign(s, { secret, body: 'b', id: 'msg 1', crypto: backend })).rejects.toThrow(
      WebhookConfigError,
    );
    await expect(sign(s, { secret, body: 'b', timestamp: new Date(Number.NaN) })).rejects.toThrow(
      WebhookConfigError,
    );
    expect(await code(sign(s, { secret, body: { a: 1 } as never }))).toBe('body_already_parsed');
    expect(await code(sign(s, { body: 'b' }))).toBe('invalid_secret');
    expect(await code(sign(s, { secrets: 'x' as never, body: 'b' }))).toBe('invalid_secret');
    expect(await code(sign(s, { secret: 5 as never, body: 'b' }))).toBe('invalid_secret');
    expect(await code(sign(schemes.hmac({ header: 'x' }), { secret: new Uint8Array(0), body: 'b' }))).toBe(
      'invalid_secret',
    );
    expect(await code(sign(schemes.hmac({ header: 'x' }), { secret: 5 as never, body: 'b' }))).toBe(
      'invalid_secret',
    );
    await expect(sign({ kind: 'jwt' } as never, { secret, body: 'b' })).rejects.toThrow(WebhookConfigError);
    await expect(verify({ kind: 'jwt' } as never, { secret, body: 'b', headers: {} })).rejects.toThrow(
      WebhookConfigError,
    );
    await expect(verify(s, { secret, body: 'b', headers: {}, toleranceSeconds: -1 })).rejects.toThrow(
      WebhookConfigError,
    );
  });
  it('a Uint8Array secret mutated after first use is never served from a stale cache', async () => {
    const scheme = schemes.hmac({ header: 'x-h' });
    const key = new Uint8Array([1, 2, 3]);
    const h1 = await sign(scheme, { secret: key, body: 'b', crypto: backend });
    key[0] = 9;
    const h2 = await sign(scheme, { secret: key, body: 'b', crypto: backend });
    expect(h2).not.toEqual(h1);
    expect(await code(verify(scheme, { secret: key, body: 'b', headers: h1, crypto: backend }))).toBe(
      'no_matching_signature',
    );
  });
  it('a non-canonical spelling of the right v1 signature is malformed_header, alone or beside a valid one (#3)', async () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"type":"link.click"}';
    const headers = await sign(schemes.standard(), { secret, body, id: 'msg_nc' });
    const valid = headers['webhook-signature']!.slice(3);
    // 32 bytes: 43 characters and one "="; the last character carries 2 bits that must be zero. Setting one
    // decodes (leniently) to the same bytes, but it is another text: not canonical.
    const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const last = B64.indexOf(valid[42]!);
    const spelled = `${valid.slice(0, 42)}${B64[last | 1]}=`;
    expect(Buffer.from(spelled, 'base64')).toEqual(Buffer.from(valid, 'base64'));
    for (const signature of [`v1,${spelled}`, `v1,${valid} v1,${spelled}`, `v1,${spelled} v1,${valid}`]) {
      const got = await code(
        verify(schemes.standard(), {
          secret,
          body,
          headers: { ...headers, 'webhook-signature': signature },
          crypto: backend,
        }),
      );
      expect(got, signature).toBe('malformed_header');
    }
  });

  it('a received id with a "." still verifies (the sender is at fault, HARDENING #22); control chars do not', async () => {
    const key = new Uint8Array(Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64'));
    const { createHmac } = await import('node:crypto');
    const ts = Math.floor(Date.now() / 1000);
    const sig = createHmac('sha256', key).update(`a.b.${ts}.x`).digest('base64');
    const headers = {
      'webhook-id': 'a.b',
      'webhook-timestamp': String(ts),
      'webhook-signature': `v1,${sig}`,
    };
    await expect(
      verify(schemes.standard(), { secret, body: 'x', headers, crypto: backend }),
    ).resolves.toMatchObject({
      id: 'a.b',
    });
    const bad = { ...headers, 'webhook-id': 'a\u0001' };
    expect(await code(verify(schemes.standard(), { secret, body: 'x', headers: bad, crypto: backend }))).toBe(
      'malformed_header',
    );
  });
});

describe('signUrl', () => {
  it('sets the token query parameter, replacing an existing one; other schemes keep the URL', () => {
    expect(signUrl(schemes.token(), { url: 'https://a.example/in?token=old&x=1', secret: 'tok 1' })).toBe(
      'https://a.example/in?token=tok+1&x=1',
    );
    expect(signUrl(schemes.token({ header: 'x-t' }), { url: 'https://a.example/', secret: 't' })).toBe(
      'https://a.example/',
    );
    expect(signUrl(schemes.standard(), { url: new URL('https://a.example/'), secret: 't' })).toBe(
      'https://a.example/',
    );
  });
});

describe('backend loading', () => {
  it('finds node:crypto through process.getBuiltinModule and nothing without it', () => {
    expect(loadNodeCrypto()).toBeDefined();
    expect(loadNodeCrypto(null)).toBeUndefined();
    expect(loadNodeCrypto({})).toBeUndefined();
    // Next.js Edge runtime: `process` members that Node.js-only code touches throw.
    const edgeProcess = new Proxy(
      {},
      {
        get: () => {
          throw new Error('not supported in the Edge Runtime');
        },
      },
    );
    expect(loadNodeCrypto(edgeProcess)).toBeUndefined();
    const nc = loadNodeCrypto()!;
    expect(createNodeCryptoBackend(nc).name).toBe('node:crypto');
  });
});

describe('isCanonicalBase64 agrees with the strict decoder', () => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ ';
  const b64ish = fc
    .array(fc.constantFrom(...alphabet.split('')), { maxLength: 48 })
    .map((chars) => chars.join(''));

  it('for any string over the base64 alphabet and its look-alikes', () => {
    fc.assert(
      fc.property(fc.oneof(b64ish, fc.string()), (text) => {
        const decoded = base64Decode(text, true);
        expect(isCanonicalBase64(text)).toBe(decoded !== undefined && text.length > 0);
      }),
      { numRuns: 5000 },
    );
  });

  it('for every real encoding of random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        expect(isCanonicalBase64(Buffer.from(bytes).toString('base64'))).toBe(true);
      }),
    );
  });
});
