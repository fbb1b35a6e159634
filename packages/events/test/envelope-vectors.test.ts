import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createFlatEventParser,
  type EnvelopeFormat,
  isEnvelopeError,
  type OutgoingMessage,
  parseEnvelope,
  parseJson,
  wrap,
} from '../src/index.js';

interface Vectors {
  wrap: {
    name: string;
    version: EnvelopeFormat;
    message: Omit<OutgoingMessage, 'timestamp'> & { timestamp: string };
    json: string;
  }[];
  parse: { name: string; payload: unknown; event: Record<string, unknown> }[];
  invalid: { name: string; body?: string; bodyBase64?: string; payload?: unknown; code: string }[];
}

const vectors = JSON.parse(
  readFileSync(new URL('../../../test-vectors/envelopes.json', import.meta.url), 'utf8'),
) as Vectors;

/* How the receiver normalises each rendered format (`object` is Standard Webhooks' shape with the id inline). */
const PARSED_AS = { v1: 'v1', v2: 'v2', standard: 'standard', object: 'standard', flat: 'custom' } as const;

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(isEnvelopeError(error)).toBe(true);
    return (error as { code: string }).code;
  }
  throw new Error('expected an EnvelopeError, nothing was thrown');
}

describe('test-vectors/envelopes.json', () => {
  it('has cases of every kind', () => {
    expect(vectors.wrap.length).toBeGreaterThan(5);
    expect(vectors.parse.length).toBeGreaterThan(5);
    expect(vectors.invalid.length).toBeGreaterThan(20);
  });

  describe.each(vectors.wrap.map((c) => [c.name, c] as const))(
    'wrap: %s',
    (_name, { version, message, json }) => {
      const outgoing: OutgoingMessage = { ...message, timestamp: new Date(message.timestamp) };

      it('renders exactly the expected JSON bytes', () => {
        expect(JSON.stringify(wrap(version, outgoing))).toBe(json);
      });

      it('parses back to the same type, data, id and time', () => {
        const event = parseEnvelope(
          JSON.parse(json),
          version === 'flat' ? { parse: createFlatEventParser() } : {},
        );
        expect(event.envelope).toBe(PARSED_AS[version]);
        expect(event.type).toBe(message.type);
        expect(event.data).toEqual(message.data);
        if (version === 'standard') {
          expect(event.timestamp?.getTime()).toBe(outgoing.timestamp.getTime());
        } else if (version === 'v2' || version === 'object') {
          expect(event.id).toBe(message.id);
          expect(event.timestamp?.getTime()).toBe(outgoing.timestamp.getTime());
        } else {
          expect(event.id).toBeUndefined();
          expect(event.timestamp).toBeUndefined();
        }
      });
    },
  );

  it.each(vectors.parse.map((c) => [c.name, c] as const))('parse: %s', (_name, { payload, event }) => {
    const parsed = parseEnvelope(payload);
    expect({ ...parsed, timestamp: parsed.timestamp?.toISOString() }).toEqual({
      ...event,
      timestamp: event['timestamp'],
      payload,
    });
    expect(Object.keys(parsed).sort()).toEqual(Object.keys({ ...event, payload }).sort());
    expect(parsed.payload).toBe(payload);
  });

  it.each(vectors.invalid.map((c) => [c.name, c] as const))('invalid: %s', (_name, c) => {
    if (c.bodyBase64 !== undefined) {
      expect(
        codeOf(() => parseEnvelope(parseJson(new Uint8Array(Buffer.from(c.bodyBase64!, 'base64'))))),
      ).toBe(c.code);
    } else if (c.body !== undefined) {
      expect(codeOf(() => parseEnvelope(parseJson(c.body!)))).toBe(c.code);
      expect(codeOf(() => parseEnvelope(parseJson(new TextEncoder().encode(c.body!))))).toBe(c.code);
    } else {
      expect(codeOf(() => parseEnvelope(c.payload))).toBe(c.code);
      // The same payload arriving as a body fails the same way.
      expect(codeOf(() => parseEnvelope(parseJson(JSON.stringify(c.payload))))).toBe(c.code);
    }
  });
});
