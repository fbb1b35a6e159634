import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEnvelopeError, parseJson } from '../src/index.js';

function failure(body: string | Uint8Array): string {
  try {
    parseJson(body);
  } catch (error) {
    if (isEnvelopeError(error) && error.code === 'invalid_json') {
      return error.message;
    }
    throw error;
  }
  throw new Error('parseJson accepted the body');
}

const encoder = new TextEncoder();

describe('parseJson', () => {
  it.each(['', ' ', '\r\n\t ', '\u00a0'])('calls a blank body %j empty, as text and as bytes', (text) => {
    expect(failure(text)).toMatch(/body is empty/);
    expect(failure(encoder.encode(text))).toMatch(/body is empty/);
  });

  it('rejects invalid UTF-8 and a byte order mark, which JSON.parse of a lenient decode would accept', () => {
    expect(failure(new Uint8Array([0x7b, 0x7d, 0xff]))).toMatch(/not valid UTF-8/);
    expect(failure(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))).toMatch(/byte order mark/);
  });

  it('agrees with JSON.parse on any text, and names empty bodies only when the text is blank', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string(), fc.stringMatching(/^[ \t\r\n]*$/)), (text) => {
        fc.pre(!text.startsWith('\ufeff')); // a leading BOM has its own message (above)
        let expected: unknown;
        try {
          expected = JSON.parse(text);
        } catch {
          const message = failure(encoder.encode(text));
          expect(/body is empty/.test(message)).toBe(text.trim() === '');
          return;
        }
        expect(parseJson(encoder.encode(text))).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
