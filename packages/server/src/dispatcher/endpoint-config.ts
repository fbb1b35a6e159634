import { HookwireServerError } from '../errors.js';
import type { EndpointInput, EndpointPatch, SignatureConfig } from '../store/store.js';
import { schemeOf } from './sign-request.js';
import { assertSafeUrl } from './ssrf.js';

// Headers the server owns: overriding them would break signing, framing or routing (HARDENING 42).
const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'host',
  'transfer-encoding',
  'user-agent',
  'connection',
  'accept-encoding',
  'te',
  'upgrade',
  'keep-alive',
  'expect',
]);
const RESERVED_PREFIXES = ['webhook-', 'svix-', 'hookwire-', 'proxy-'];
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The header a signature config writes, lower case. */
export function signatureHeaderName(sig: SignatureConfig): string {
  switch (sig.scheme) {
    case 'standard':
      return `${sig.headerPrefix ?? 'webhook'}-signature`;
    case 'timestamped':
      return (sig.header ?? 'webhook-signature').toLowerCase();
    case 'hmac':
      return (sig.header ?? 'x-webhook-signature').toLowerCase();
  }
}

/**
 * Rejects custom headers that collide with what the server sends, or that are not valid HTTP.
 *
 * @throws HookwireServerError `INVALID_HEADER`
 */
export function validateCustomHeaders(headers: Record<string, string>, signature: SignatureConfig): void {
  const own = signatureHeaderName(signature);
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!TOKEN.test(name)) {
      throw new HookwireServerError(
        'INVALID_HEADER',
        `custom header name ${JSON.stringify(name)} is not a valid token`,
      );
    }
    if (RESERVED_HEADERS.has(lower) || RESERVED_PREFIXES.some((p) => lower.startsWith(p)) || lower === own) {
      throw new HookwireServerError(
        'INVALID_HEADER',
        `custom header ${name} is reserved: the server sets it (signature, framing or content headers)`,
      );
    }
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) {
      throw new HookwireServerError('INVALID_HEADER', `custom header ${name} has an invalid value`);
    }
  }
}

/** Validates a signature config's shape. @throws HookwireServerError `INVALID_INPUT` */
export function validateSignatureConfig(sig: SignatureConfig): void {
  if (sig.scheme === 'standard') {
    return;
  }
  if (sig.scheme !== 'timestamped' && sig.scheme !== 'hmac') {
    throw new HookwireServerError('INVALID_INPUT', `unknown signature scheme ${JSON.stringify(sig.scheme)}`);
  }
  if (!sig.header || !TOKEN.test(sig.header)) {
    throw new HookwireServerError('INVALID_INPUT', `the ${sig.scheme} scheme needs a valid header name`);
  }
  const lower = sig.header.toLowerCase();
  if (RESERVED_HEADERS.has(lower)) {
    throw new HookwireServerError('INVALID_INPUT', `${sig.header} cannot carry a signature`);
  }
  if (sig.unit !== undefined && sig.unit !== 's' && sig.unit !== 'ms') {
    throw new HookwireServerError('INVALID_INPUT', 'signature unit must be "s" or "ms"');
  }
  if (sig.content !== undefined && !sig.content.includes('{body}')) {
    throw new HookwireServerError('INVALID_INPUT', 'signature content must include {body}');
  }
  try {
    // The signatures package is the authority on what it can sign with.
    schemeOf(sig);
  } catch (cause) {
    throw new HookwireServerError('INVALID_INPUT', `invalid signature config: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/**
 * Everything the API checks before storing an endpoint: safe URL, valid signature config, no reserved
 * custom headers, a sane rate limit.
 *
 * @throws HookwireServerError `BLOCKED_URL`, `INSECURE_URL`, `INVALID_HEADER`, `INVALID_INPUT`
 */
export function validateEndpointConfig(
  input: EndpointInput | EndpointPatch,
  opts: { dev?: boolean; current?: { signature: SignatureConfig } } = {},
): void {
  if (input.url !== undefined) {
    assertSafeUrl(input.url, opts);
  }
  const signature = input.signature ?? opts.current?.signature ?? { scheme: 'standard' };
  validateSignatureConfig(signature);
  if (input.headers) {
    validateCustomHeaders(input.headers, signature);
  }
  const rate = input.rateLimitPerSecond;
  if (rate !== undefined && rate !== null && (!Number.isFinite(rate) || rate <= 0)) {
    throw new HookwireServerError('INVALID_INPUT', 'rateLimitPerSecond must be a positive number');
  }
  for (const e of input.events ?? []) {
    if (!/^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$/.test(e) || (!e.includes('.') && e !== '*')) {
      throw new HookwireServerError(
        'INVALID_INPUT',
        `invalid event filter ${JSON.stringify(e)}: use resource.action`,
      );
    }
  }
}
