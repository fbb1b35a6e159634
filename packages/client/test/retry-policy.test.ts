import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResilientFetch, type RetryInfo } from '../src/create-resilient-fetch.js';
import { parseRetryAfter } from '../src/errors.js';
import { type SpecServer, startSpecServer } from './support/spec-server.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-23T10:00:00Z');
  it.each([
    ['delta seconds', '120', 120_000],
    ['zero', '0', 0],
    ['padded', ' 3 ', 3_000],
    ['HTTP date in the future', 'Mon, 23 Nov 2026 10:00:30 GMT', 30_000],
    ['HTTP date in the past', 'Mon, 23 Nov 2026 09:00:00 GMT', 0],
    ['negative', '-5', undefined],
    ['fraction', '1.5', undefined],
    ['garbage', 'soon', undefined],
    ['empty', '', undefined],
    ['absent', null, undefined],
  ] as const)('%s', (_name, value, want) => {
    expect(parseRetryAfter(value, now)).toBe(want);
  });
});

describe('backoff with jitter', () => {
  let server: SpecServer;
  beforeAll(async () => {
    server = await startSpecServer();
  });
  afterAll(() => server.close());

  const run = async (random: number): Promise<number[]> => {
    const unavailable = { status: 503, body: { code: 'SERVICE_UNAVAILABLE' } };
    server.script('getHealth', unavailable, unavailable, unavailable, unavailable);
    const retries: RetryInfo[] = [];
    const fetchWithRetry = createResilientFetch({
      fetch: (request) => fetch(request),
      timeoutMs: 5_000,
      random: () => random,
      retry: {
        max: 4,
        baseDelayMs: 8,
        maxDelayMs: 40,
        maxRetryAfterMs: 60_000,
        onRetry: (r) => retries.push(r),
      },
    });
    const response = await fetchWithRetry(new Request(`${server.url}/healthz`));
    expect(response.status).toBe(200);
    return retries.map((r) => r.delayMs);
  };

  it('doubles from baseDelayMs up to maxDelayMs, never below half of the ceiling', async () => {
    expect(await run(0)).toEqual([4, 8, 16, 20]);
    expect(await run(1)).toEqual([8, 16, 32, 40]);
    expect(await run(0.5)).toEqual([6, 12, 24, 30]);
  });
});
