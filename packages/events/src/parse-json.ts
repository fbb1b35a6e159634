import { EnvelopeError } from './errors.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Parses a webhook body as JSON. Decoding is strict: invalid UTF-8 is an error rather than being replaced
 * with U+FFFD, and a leading byte order mark is an error rather than silently stripped (RFC 8259 §8.1 says
 * senders must not add one; `TextDecoder` would drop it by default, hiding a sender bug). The signature
 * has already been checked over the exact bytes, so this only decides what the bytes mean.
 *
 * @throws {EnvelopeError} `invalid_json` for invalid UTF-8, a BOM, an empty body or malformed JSON.
 */
export function parseJson(body: string | Uint8Array): unknown {
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else if (body instanceof Uint8Array) {
    try {
      text = decoder.decode(body);
    } catch (cause) {
      throw new EnvelopeError(
        'invalid_json',
        'The body is not valid UTF-8; JSON bodies must be UTF-8 encoded.',
        {
          cause,
        },
      );
    }
  } else {
    throw new EnvelopeError(
      'invalid_json',
      `Expected the raw body as a string or Uint8Array, received ${body === null ? 'null' : typeof body}.`,
    );
  }
  if (text.charCodeAt(0) === 0xfeff) {
    throw new EnvelopeError(
      'invalid_json',
      'The body starts with a byte order mark (U+FEFF); JSON sent over the network must not have one (RFC 8259 §8.1).',
    );
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    // Checked only on failure (an empty or blank body never parses), so a valid body is not scanned twice.
    if (text.trim() === '') {
      throw new EnvelopeError('invalid_json', 'The body is empty; expected a JSON object.');
    }
    throw new EnvelopeError('invalid_json', `The body is not valid JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
}
