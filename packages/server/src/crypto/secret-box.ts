import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { HookwireServerError } from '../errors.js';

/** Encrypts secrets at rest. `null` secret box = plaintext storage (rows are marked as such). */
export interface SecretBox {
  encrypt(plaintext: string, associatedData: string): string;
  decrypt(ciphertext: string, associatedData: string): string;
}

const FORMAT = 'v1';

/**
 * AES-256-GCM under a key derived with HKDF-SHA256 from the operator's main secret
 * (`HOOKWIRE_ENCRYPTION_KEY`). The row id is bound as associated data, so a ciphertext copied into another
 * row does not decrypt. The main secret cannot change without re-encrypting every row: rows carry only a
 * format version, not a key id.
 *
 * @example const box = createSecretBox(process.env.HOOKWIRE_ENCRYPTION_KEY!)
 * @throws HookwireServerError `INVALID_INPUT` when the main secret is shorter than 16 characters.
 */
export function createSecretBox(mainSecret: string): SecretBox {
  if (mainSecret.length < 16) {
    throw new HookwireServerError(
      'INVALID_INPUT',
      'HOOKWIRE_ENCRYPTION_KEY must be at least 16 characters long',
    );
  }
  const key = Buffer.from(hkdfSync('sha256', mainSecret, 'hookwire', 'hookwire endpoint secrets v1', 32));
  return {
    encrypt(plaintext, associatedData) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(associatedData));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${FORMAT}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64')}`;
    },
    decrypt(ciphertext, associatedData) {
      const [format, payload] = ciphertext.split(':');
      if (format !== FORMAT || payload === undefined) {
        throw new HookwireServerError('ENCRYPTION_KEY_MISMATCH', 'encrypted secret has an unknown format');
      }
      const raw = Buffer.from(payload, 'base64');
      const iv = raw.subarray(0, 12);
      const tag = raw.subarray(raw.length - 16);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(associatedData));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString(
          'utf8',
        );
      } catch (cause) {
        throw new HookwireServerError(
          'ENCRYPTION_KEY_MISMATCH',
          'cannot decrypt an endpoint secret: HOOKWIRE_ENCRYPTION_KEY differs from the key the row was written with',
          { cause },
        );
      }
    },
  };
}
