import { describe, expect, it } from 'vitest';
import { validateCustomHeaders, validateEndpointConfig } from '../../src/dispatcher/endpoint-config.js';
import { utf8Preview } from '../../src/dispatcher/http-sender.js';
import {
  DEFAULT_RETRY_SCHEDULE_MS,
  parseRetryAfter,
  retryDelayMs,
} from '../../src/dispatcher/retry-policy.js';
import { TokenBucket } from '../../src/dispatcher/token-bucket.js';
import { newId } from '../../src/ids.js';

describe('retry schedule', () => {
  it('follows the schedule with ±20 % jitter, then gives up', () => {
    expect(retryDelayMs(DEFAULT_RETRY_SCHEDULE_MS, 1, { random: () => 0.5 })).toBe(5000);
    expect(retryDelayMs(DEFAULT_RETRY_SCHEDULE_MS, 1, { random: () => 0 })).toBe(4000);
    expect(retryDelayMs(DEFAULT_RETRY_SCHEDULE_MS, 1, { random: () => 1 })).toBe(6000);
    expect(retryDelayMs(DEFAULT_RETRY_SCHEDULE_MS, 7, { random: () => 0.5 })).toBe(36_000_000);
    expect(retryDelayMs(DEFAULT_RETRY_SCHEDULE_MS, 8)).toBeNull();
    expect(retryDelayMs([], 1)).toBeNull();
  });

  it('parses Retry-After as seconds or an HTTP-date and ignores junk', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('1.5', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});

describe('custom headers (HARDENING 42)', () => {
  const standard = { scheme: 'standard' as const };
  it.each([
    'webhook-id',
    'Webhook-Signature',
    'content-type',
    'Content-Length',
    'host',
    'transfer-encoding',
    'user-agent',
  ])('rejects %s', (name) => {
    expect(() => validateCustomHeaders({ [name]: 'x' }, standard)).toThrow(
      expect.objectContaining({ code: 'INVALID_HEADER' }),
    );
  });

  it("rejects the endpoint's own signature header and bad values", () => {
    const sig = { scheme: 'hmac' as const, header: 'X-Acturity-Signature', prefix: 'sha256=' };
    expect(() => validateCustomHeaders({ 'x-acturity-signature': 'forged' }, sig)).toThrow(
      expect.objectContaining({ code: 'INVALID_HEADER' }),
    );
    expect(() => validateCustomHeaders({ 'x-ok': 'a\r\nInjected: 1' }, sig)).toThrow(
      expect.objectContaining({ code: 'INVALID_HEADER' }),
    );
    expect(() => validateCustomHeaders({ 'bad name': 'x' }, sig)).toThrow(
      expect.objectContaining({ code: 'INVALID_HEADER' }),
    );
    expect(() => validateCustomHeaders({ authorization: 'Bearer t', 'x-tenant': 'a' }, sig)).not.toThrow();
  });

  it('validates the whole endpoint config', () => {
    expect(() => validateEndpointConfig({ url: 'https://hooks.example.com', secret: 's' })).not.toThrow();
    expect(() => validateEndpointConfig({ url: 'http://hooks.example.com', secret: 's' })).toThrow(
      expect.objectContaining({ code: 'INSECURE_URL' }),
    );
    expect(() =>
      validateEndpointConfig({ url: 'https://hooks.example.com', secret: 's', events: ['click'] }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() =>
      validateEndpointConfig({
        url: 'https://hooks.example.com',
        secret: 's',
        signature: { scheme: 'hmac' },
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() =>
      validateEndpointConfig({ url: 'https://hooks.example.com', secret: 's', rateLimitPerSecond: 0 }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('token bucket', () => {
  it('allows a burst of one second, then refills at the rate', () => {
    const b = new TokenBucket(2, 0);
    expect(b.take(0)).toEqual({ ok: true });
    expect(b.take(0)).toEqual({ ok: true });
    expect(b.take(0)).toEqual({ ok: false, waitMs: 500 });
    expect(b.take(500)).toEqual({ ok: true });
  });
});

describe('preview', () => {
  it('never exceeds 1 KiB of UTF-8 and never splits a character', () => {
    const text = 'é'.repeat(600); // 1200 bytes
    const preview = utf8Preview(Buffer.from(text));
    expect(Buffer.byteLength(preview)).toBeLessThanOrEqual(1024);
    expect(preview).toBe('é'.repeat(512));
    const invalid = utf8Preview(new Uint8Array(2000).fill(0xff));
    expect(Buffer.byteLength(invalid)).toBeLessThanOrEqual(1024);
  });
});

describe('ids', () => {
  it('are prefixed, dot-free and sort by creation', () => {
    const ids = Array.from({ length: 100 }, () => newId('msg'));
    expect(ids.every((id) => /^msg_[0-9a-z]{26}$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(newId('dlv', 1000) < newId('dlv', Date.now())).toBe(true);
  });
});
