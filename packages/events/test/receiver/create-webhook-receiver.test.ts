import { describe, expect, it } from 'vitest';
import { createWebhookReceiver, type DedupeStore } from '../../src/receiver/index.js';
import { envelope, SECRET, signedHeaders } from './fixtures.js';

async function signedInput() {
  const body = new TextEncoder().encode(envelope('link.click', { country: 'FR' }));
  return { body, headers: await signedHeaders(body) };
}

const quietLogger = { error: () => undefined };

describe('createWebhookReceiver: receive() and run() around the one-step verification', () => {
  it.each([
    [
      'throws',
      () => {
        throw new Error('store down');
      },
    ],
    ['rejects', () => Promise.reject(new Error('store down'))],
  ])(
    'rejects receive() with the error when the dedupe store %s (not the sender’s fault: no 4xx)',
    async (_how, claim) => {
      const dedupe: DedupeStore = { claim, complete: () => undefined, release: () => undefined };
      const receiver = createWebhookReceiver({ secret: SECRET, dedupe, logger: quietLogger });
      await expect(receiver.receive(await signedInput())).rejects.toThrow('store down');
    },
  );

  it('answers a verification failure as a response, never as a rejection', async () => {
    const receiver = createWebhookReceiver({ secret: SECRET, dedupe: false, logger: quietLogger });
    const input = await signedInput();
    const result = await receiver.receive({ ...input, body: new TextEncoder().encode('{"tampered":true}') });
    expect(result.ok).toBe(false);
    expect(result.ok ? undefined : result.response.status).toBe(401);
  });

  it.each([
    [
      'throws synchronously',
      () => {
        throw new Error('boom');
      },
    ],
    ['returns a rejected promise', () => Promise.reject(new Error('boom'))],
    [
      'returns a rejecting thenable',
      // biome-ignore lint/suspicious/noThenProperty: a non-Promise thenable is the case under test.
      () => ({ then: (_ok: unknown, fail: (e: Error) => void) => fail(new Error('boom')) }),
    ],
  ])(
    'releases the claim and rejects run() when the handler %s, so a retry runs it again',
    async (_how, handler) => {
      const receiver = createWebhookReceiver({ secret: SECRET, logger: quietLogger });
      const input = await signedInput();
      const first = await receiver.receive(input);
      expect(first.ok).toBe(true);
      if (!first.ok) {
        return;
      }
      await expect(receiver.run(first, handler)).rejects.toThrow('boom');
      const retry = await receiver.receive(input);
      expect(retry.ok).toBe(true);
    },
  );

  it('waits for an asynchronous handler before answering, and completes the claim', async () => {
    const receiver = createWebhookReceiver({ secret: SECRET, logger: quietLogger });
    const input = await signedInput();
    const first = await receiver.receive(input);
    if (!first.ok) {
      throw new Error('expected the first delivery to be accepted');
    }
    let finished = false;
    const response = await receiver.run(first, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      finished = true;
    });
    expect(finished).toBe(true);
    expect(response).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"received":true}',
    });
    const again = await receiver.receive(input);
    expect(again.ok ? undefined : again.response.body).toBe('{"received":true,"duplicate":true}');
  });
});
