import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createHookwireClient,
  HookwireApiError,
  HookwireNetworkError,
  isHookwireApiError,
  isHookwireNetworkError,
  type RetryInfo,
} from '../src/index.js';
import { type SpecServer, startSpecServer } from './support/spec-server.js';

const WH = 'wh_01jc8y0c3t9k1w6t0f4q3x9v2c';

let server: SpecServer;

beforeAll(async () => {
  server = await startSpecServer();
});
afterAll(() => server.close());
afterEach(() => {
  const violations = server.violations.splice(0);
  server.requests.length = 0;
  expect(violations).toEqual([]);
});

/** A client whose retries are fast (tests measure counts, not time) and reported through onRetry. */
function client(options: { retries?: number; timeoutMs?: number; maxRetryAfterMs?: number } = {}) {
  const retries: RetryInfo[] = [];
  const hw = createHookwireClient({
    baseUrl: server.url,
    apiKey: 'hwk_test',
    timeoutMs: options.timeoutMs ?? 5_000,
    retries: {
      max: options.retries ?? 2,
      baseDelayMs: 1,
      maxDelayMs: 5,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      onRetry: (info) => retries.push(info),
    },
  });
  return { hw, retries };
}

const problem = (status: number, code: string, extra: Record<string, unknown> = {}) => ({
  status,
  body: {
    type: `https://hookwire.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: code,
    status,
    detail: `detail of ${code}`,
    code,
    requestId: 'req_fixed',
    ...extra,
  },
});

/** Runs `fn` and returns what it threw (fails the test when it does not throw). */
async function thrown(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('API errors', () => {
  it('turns a problem into HookwireApiError with code, invalid names and request id (AWSYS.CO short names)', async () => {
    server.script('createWebhook', problem(400, 'INVALID_EVENTS', { invalid: ['click'] }));
    const { hw } = client();
    const error = await thrown(() => hw.webhooks.create({ url: 'https://x.test/h', events: ['click'] }));
    expect(error).toBeInstanceOf(HookwireApiError);
    expect(isHookwireApiError(error)).toBe(true);
    const e = error as HookwireApiError;
    expect([e.status, e.code, e.detail, e.requestId]).toEqual([
      400,
      'INVALID_EVENTS',
      'detail of INVALID_EVENTS',
      'req_fixed',
    ]);
    expect(e.invalid).toEqual(['click']);
    expect(e.message).toContain('INVALID_EVENTS');
    expect(e.message).toContain(`POST ${server.url}/api/webhooks`);
    expect(server.requests).toHaveLength(1); // a 400 is never retried
  });

  it('exposes validation errors', async () => {
    const errors = [{ path: '/schema/type', message: 'must be a JSON Schema type' }];
    server.script('createEventType', problem(400, 'VALIDATION_FAILED', { errors }));
    const { hw } = client();
    const e = (await thrown(() =>
      hw.eventTypes.create({ name: 'link.click', schema: { type: 'objekt' } }),
    )) as HookwireApiError;
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.errors).toEqual(errors);
  });

  it.each([
    ['QUOTA_EXCEEDED', 403],
    ['INSECURE_URL', 400],
    ['BLOCKED_URL', 400],
    ['NOT_FOUND', 404],
    ['UNAUTHORIZED', 401],
  ])('%s (%i) keeps its code', async (code, status) => {
    server.script('createWebhook', problem(status, code));
    const { hw } = client();
    const e = (await thrown(() => hw.webhooks.create({ url: 'http://x.test/h' }))) as HookwireApiError;
    expect([e.code, e.status]).toEqual([code, status]);
  });

  it('reports a non-problem answer (a proxy page) as UNEXPECTED_RESPONSE with the text and X-Request-Id', async () => {
    server.script('getWebhook', {
      status: 404,
      body: '<html>nginx</html>',
      headers: { 'content-type': 'text/html' },
    });
    const { hw } = client();
    const e = (await thrown(() => hw.webhooks.get(WH))) as HookwireApiError;
    expect(e.code).toBe('UNEXPECTED_RESPONSE');
    expect(e.detail).toBe('<html>nginx</html>');
    expect(e.requestId).toMatch(/^req_test/);
  });

  it('treats an error without a body (e.g. 404 on DELETE) as an error too', async () => {
    server.script('deleteWebhook', { status: 404 });
    const { hw } = client();
    const e = (await thrown(() => hw.webhooks.delete(WH))) as HookwireApiError;
    expect([e.status, e.code]).toEqual([404, 'UNEXPECTED_RESPONSE']);
  });
});

describe('retries', () => {
  it('retries a GET on 503 and 500, then succeeds', async () => {
    server.script('getWebhook', problem(503, 'SERVICE_UNAVAILABLE'), problem(500, 'INTERNAL_ERROR'));
    const { hw, retries } = client();
    const webhook = await hw.webhooks.get(WH);
    expect(webhook.id).toBe(WH);
    expect(server.requests).toHaveLength(3);
    expect(retries.map((r) => r.reason)).toEqual([503, 500]);
  });

  it('gives up after `max` retries and throws the last answer', async () => {
    server.script('getWebhook', ...Array.from({ length: 3 }, () => problem(503, 'SERVICE_UNAVAILABLE')));
    const { hw } = client({ retries: 2 });
    const e = (await thrown(() => hw.webhooks.get(WH))) as HookwireApiError;
    expect(e.code).toBe('SERVICE_UNAVAILABLE');
    expect(server.requests).toHaveLength(3);
  });

  it('honours Retry-After on 429', async () => {
    server.script('listWebhooks', { ...problem(429, 'RATE_LIMITED'), headers: { 'retry-after': '1' } });
    const { hw, retries } = client();
    const started = performance.now();
    await hw.webhooks.list().firstPage();
    const waited = performance.now() - started;
    expect(server.requests).toHaveLength(2);
    expect(retries).toEqual([expect.objectContaining({ retry: 1, reason: 429, delayMs: 1000 })]);
    // A lower bound only: the retry cannot go out before Retry-After has passed.
    expect(waited).toBeGreaterThanOrEqual(990);
  });

  it('throws at once when Retry-After exceeds maxRetryAfterMs, exposing retryAfterMs', async () => {
    server.script('listWebhooks', { ...problem(429, 'RATE_LIMITED'), headers: { 'retry-after': '120' } });
    const { hw, retries } = client({ maxRetryAfterMs: 10_000 });
    const e = (await thrown(() => hw.webhooks.list().firstPage())) as HookwireApiError;
    expect([e.code, e.retryAfterMs]).toEqual(['RATE_LIMITED', 120_000]);
    expect(server.requests).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it('retries a publish with the same Idempotency-Key and the same body', async () => {
    server.script('publishEvent', problem(503, 'SERVICE_UNAVAILABLE'), { destroy: true });
    const { hw, retries } = client();
    const result = await hw.events.publish({ type: 'link.click', data: { linkId: 'lnk_1' } });
    expect(result.id).toMatch(/^msg_/);
    expect(server.requests).toHaveLength(3);
    const keys = new Set(server.requests.map((r) => r.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      server.requests.every((r) => JSON.stringify(r.body) === JSON.stringify(server.requests[0]?.body)),
    ).toBe(true);
    expect(retries.map((r) => r.reason)).toEqual([503, 'NETWORK_ERROR']);
  });

  it('retries a batch publish with one key', async () => {
    server.script('publishEventBatch', problem(502, 'INTERNAL_ERROR'));
    const { hw } = client();
    await hw.events.publishBatch([{ type: 'link.click', data: {} }]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]?.headers['idempotency-key']).toBe(
      server.requests[1]?.headers['idempotency-key'],
    );
  });

  it.each([
    [
      'updateWebhook (PATCH)',
      'updateWebhook',
      (hw: ReturnType<typeof client>['hw']) => hw.webhooks.update(WH, { enabled: true }),
    ],
    [
      'rotateWebhookSecret (POST)',
      'rotateWebhookSecret',
      (hw: ReturnType<typeof client>['hw']) => hw.webhooks.rotateSecret(WH),
    ],
    [
      'redeliverDelivery (POST)',
      'redeliverDelivery',
      (hw: ReturnType<typeof client>['hw']) => hw.deliveries.redeliver('dlv_01jc8y0c3t9k1w6t0f4q3x9v2e'),
    ],
  ])('never retries a non-idempotent %s', async (_name, operationId, call) => {
    server.script(operationId, problem(503, 'SERVICE_UNAVAILABLE'));
    const { hw, retries } = client();
    const e = (await thrown(() => call(hw))) as HookwireApiError;
    expect(e.code).toBe('SERVICE_UNAVAILABLE');
    expect(server.requests).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it('retries: false sends once', async () => {
    server.script('getWebhook', problem(503, 'SERVICE_UNAVAILABLE'));
    const hw = createHookwireClient({ baseUrl: server.url, apiKey: 'k', retries: false });
    await expect(hw.webhooks.get(WH)).rejects.toThrow(HookwireApiError);
    expect(server.requests).toHaveLength(1);
  });
});

describe('timeouts and network errors', () => {
  it('aborts a hanging request with TIMEOUT, retrying idempotent ones', async () => {
    server.script('getWebhook', { hang: true }, { hang: true });
    const { hw, retries } = client({ retries: 1, timeoutMs: 150 });
    const e = await thrown(() => hw.webhooks.get(WH));
    expect(e).toBeInstanceOf(HookwireNetworkError);
    expect(isHookwireNetworkError(e)).toBe(true);
    expect((e as HookwireNetworkError).code).toBe('TIMEOUT');
    expect(server.requests).toHaveLength(2);
    expect(retries.map((r) => r.reason)).toEqual(['TIMEOUT']);
  });

  it('times out a non-idempotent request once, without retrying', async () => {
    server.script('updateWebhook', { hang: true });
    const { hw } = client({ timeoutMs: 150 });
    const e = (await thrown(() => hw.webhooks.update(WH, { enabled: true }))) as HookwireNetworkError;
    expect(e.code).toBe('TIMEOUT');
    expect(server.requests).toHaveLength(1);
  });

  it('reports a dropped connection as NETWORK_ERROR', async () => {
    server.script('getWebhook', { destroy: true }, { destroy: true });
    const { hw } = client({ retries: 1 });
    const e = (await thrown(() => hw.webhooks.get(WH))) as HookwireNetworkError;
    expect(e.code).toBe('NETWORK_ERROR');
    expect(e.message).toContain(`GET ${server.url}/api/webhooks/${WH}`);
    expect(server.requests).toHaveLength(2);
  });

  it('reports a refused connection as NETWORK_ERROR', async () => {
    // Reserve a port, then close it so nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const hw = createHookwireClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k', retries: false });
    const e = (await thrown(() => hw.health())) as HookwireNetworkError;
    expect(e.code).toBe('NETWORK_ERROR');
  });

  it("rethrows the caller's abort at once and does not retry it", async () => {
    server.script('getWebhook', { hang: true });
    const { hw, retries } = client({ retries: 2, timeoutMs: 10_000 });
    const controller = new AbortController();
    const pending = hw.webhooks.get(WH, { signal: controller.signal });
    // Abort once the server has the request, so the abort hits an in-flight attempt.
    for (let i = 0; i < 200 && server.requests.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    controller.abort(new Error('user cancelled'));
    await expect(pending).rejects.toThrow('user cancelled');
    expect(server.requests).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it('does not send at all when the signal is already aborted', async () => {
    const { hw } = client();
    await expect(hw.webhooks.get(WH, { signal: AbortSignal.abort(new Error('gone')) })).rejects.toThrow(
      'gone',
    );
    expect(server.requests).toHaveLength(0);
  });
});
