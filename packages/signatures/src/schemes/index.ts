import { WebhookConfigError } from '../errors.js';
import { hmac } from './hmac.js';
import type { Scheme } from './scheme.js';
import { standard } from './standard.js';
import { timestamped } from './timestamped.js';
import { token } from './token.js';

/**
 * Rebuilds (and validates) a scheme from its JSON form, e.g. one stored with an endpoint.
 *
 * @throws {WebhookConfigError} when `config` is not a valid scheme.
 * @example schemes.fromConfig(JSON.parse('{"kind":"hmac","header":"x-awsys-signature","prefix":"","encoding":"hex"}'))
 */
export function fromConfig(config: unknown): Scheme {
  if (typeof config !== 'object' || config === null) {
    throw new WebhookConfigError('scheme config must be an object with a "kind"');
  }
  const c = config as Record<string, unknown>;
  const str = (key: string): string | undefined => {
    const v = c[key];
    if (v !== undefined && typeof v !== 'string') {
      throw new WebhookConfigError(`scheme config: "${key}" must be a string`);
    }
    return v;
  };
  switch (c.kind) {
    case 'standard': {
      if (c.asymmetric !== undefined && typeof c.asymmetric !== 'boolean') {
        throw new WebhookConfigError('scheme config: "asymmetric" must be a boolean');
      }
      return standard({ asymmetric: c.asymmetric === true, headerPrefix: str('headerPrefix') });
    }
    case 'timestamped':
      return timestamped({
        header: str('header') ?? '',
        unit: str('unit') as 's' | 'ms' | undefined,
        version: str('version'),
        content: str('content'),
      });
    case 'hmac':
      return hmac({
        header: str('header') ?? '',
        prefix: str('prefix'),
        encoding: str('encoding') as 'hex' | 'base64' | undefined,
      });
    case 'token':
      return token({ query: str('query'), header: str('header') });
    default:
      throw new WebhookConfigError(
        `scheme config: unknown kind ${JSON.stringify(c.kind)} (expected standard, timestamped, hmac or token)`,
      );
  }
}

/**
 * Builders for every supported signature scheme. Each returns a plain JSON-serialisable `Scheme`.
 *
 * @example
 * schemes.standard()                                                    // Standard Webhooks / Svix
 * schemes.timestamped({ header: 'stripe-signature' })                   // Stripe, Linka Factory
 * schemes.hmac({ header: 'x-acturity-signature', prefix: 'sha256=' })  // Acturity, GitHub, AWSYS.CO
 * schemes.token({ query: 'token' })                                     // Activly
 */
export const schemes = { standard, timestamped, hmac, token, fromConfig } as const;
