import { type Scheme, schemes, sign } from '@hookwire/signatures';
import type { SignatureConfig } from '../store/store.js';

/** The `@hookwire/signatures` scheme for an endpoint's stored signature config. */
export function schemeOf(config: SignatureConfig): Scheme {
  switch (config.scheme) {
    case 'standard':
      return schemes.standard({ headerPrefix: config.headerPrefix });
    case 'timestamped':
      return schemes.timestamped({
        header: config.header ?? 'webhook-signature',
        unit: config.unit,
        version: config.version,
        content: config.content,
      });
    case 'hmac':
      return schemes.hmac({
        header: config.header ?? 'x-webhook-signature',
        prefix: config.prefix,
        encoding: config.encoding,
      });
  }
}

/**
 * Signs one request for an endpoint. Several secrets (rotation overlap, newest first) give one signature each
 * where the scheme has room (`standard`, `timestamped`); `hmac` has one slot and signs with the newest.
 */
export function signRequest(
  config: SignatureConfig,
  input: { secrets: readonly string[]; body: string; id: string; timestamp: Date },
): Promise<Record<string, string>> {
  return sign(schemeOf(config), input);
}
