import type { EnvelopeFormat } from '@hookwire/events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderEnvelope, renderEnvelopeBody } from '../../src/dispatcher/envelope.js';
import { attachDataText } from '../../src/store/message-data-text.js';

/** A message as the SQLite store claims it: data parsed, and its stored text remembered. */
function claimed<T extends object>(message: T, text: string): T & { data: unknown } {
  const withData = { ...message, data: JSON.parse(text) as unknown };
  return attachDataText(withData, text);
}

const FORMATS: EnvelopeFormat[] = ['v1', 'v2', 'standard', 'object', 'flat'];

const jsonObject = fc.dictionary(fc.string(), fc.jsonValue());

describe('renderEnvelopeBody', () => {
  it('splices stored data text into exactly the bytes JSON.stringify(renderEnvelope(...)) gives', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FORMATS),
        fc.jsonValue(),
        jsonObject,
        fc.option(jsonObject, { nil: null }),
        fc.string({ minLength: 1 }),
        (format, data, context, customData, eventType) => {
          // What SQLite holds is what JSON.stringify wrote; what the receiver must get is the plain render.
          const text = JSON.stringify(data);
          const base = { id: 'msg_1', eventType, timestamp: new Date(0), context, customData };
          const expected = JSON.stringify(renderEnvelope(format, { ...base, data: JSON.parse(text) }));
          expect(renderEnvelopeBody(format, claimed({ ...base }, text))).toBe(expected);
        },
      ),
    );
  });

  it('flat spreads the value; a message the store did not claim renders from its value', () => {
    const base = {
      id: 'msg_1',
      eventType: 'link.click',
      timestamp: new Date(0),
      context: {},
      customData: null,
    };
    // A stale text would show: flat must not use it.
    const flat = claimed({ ...base }, '{"a":1}');
    (flat.data as { a: number }).a = 2;
    expect(renderEnvelopeBody('flat', flat)).toBe('{"event":"link.click","a":2}');
    expect(renderEnvelopeBody('v2', { ...base, data: { b: 1 } })).toBe(
      JSON.stringify(renderEnvelope('v2', { ...base, data: { b: 1 } })),
    );
  });

  it('a context value that looks like a placeholder is just text', () => {
    const message = claimed(
      {
        id: 'msg_1',
        eventType: 'link.click',
        timestamp: new Date(0),
        context: { note: '\u0000hookwire-data-00000000000000000000000000000000' },
        customData: null,
      },
      '[1]',
    );
    const body = JSON.parse(renderEnvelopeBody('v2', message)) as {
      metadata: { note: string };
      data: unknown;
    };
    expect(body.metadata.note).toBe('\u0000hookwire-data-00000000000000000000000000000000');
    expect(body.data).toEqual([1]);
  });
});
