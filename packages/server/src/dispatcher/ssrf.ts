import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { HookwireServerError } from '../errors.js';
import { classifyAddress, isAllowedAddress } from './ip-address.js';

/** One resolved address, as `dns.lookup(..., { all: true })` returns it. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Turns a hostname into addresses. Injectable so tests can point a name at 127.0.0.1. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The system resolver (getaddrinfo, honours /etc/hosts), every A and AAAA record. */
export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

export interface SafeUrlOptions {
  /** Dev mode: allows `http://` and loopback targets (still never private, link-local or metadata). */
  dev?: boolean;
}

// Names that only resolve inside a network; rejected at registration (connect time re-checks the addresses).
const INTERNAL_SUFFIXES = ['.internal', '.local', '.localdomain', '.home.arpa', '.intranet', '.corp', '.lan'];

const blocked = (url: string, why: string) =>
  new HookwireServerError('BLOCKED_URL', `endpoint URL ${url} is not allowed: ${why}`);

/**
 * Registration-time check of an endpoint URL (HARDENING 26–29, 38, 39, 41). The WHATWG parser normalises
 * alternative IPv4 spellings first (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1` all become `127.0.0.1`), so
 * the check sees the address that will be dialled. Returns the normalised URL.
 *
 * @example assertSafeUrl('https://hooks.example.com/in') // URL
 * @throws HookwireServerError `BLOCKED_URL` (scheme, credentials, internal host or address),
 *   `INSECURE_URL` (`http://` outside dev mode).
 */
export function assertSafeUrl(input: string, opts: SafeUrlOptions = {}): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw blocked(JSON.stringify(input), 'not an absolute URL');
  }
  const shown = redactUrl(url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw blocked(shown, `the ${url.protocol} scheme is not supported: use https://`);
  }
  if (url.username !== '' || url.password !== '') {
    throw blocked(
      shown,
      'credentials in the URL are not allowed: send them in a custom Authorization header',
    );
  }
  if (url.protocol === 'http:' && !opts.dev) {
    throw new HookwireServerError(
      'INSECURE_URL',
      `endpoint URL ${shown} uses http://: only https:// endpoints are allowed (dev mode allows http)`,
    );
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    if (!isAllowedAddress(host, opts)) {
      throw blocked(shown, `${host} is a ${classifyAddress(host)} address`);
    }
    return url;
  }
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) {
    if (!opts.dev) {
      throw blocked(shown, 'localhost is a loopback name');
    }
    return url;
  }
  if (!name.includes('.')) {
    throw blocked(shown, 'single-label host names only resolve inside a network');
  }
  if (INTERNAL_SUFFIXES.some((s) => name.endsWith(s))) {
    throw blocked(shown, 'the host name is an internal-only name');
  }
  return url;
}

/**
 * `assertSafeUrl` plus a DNS check: every A and AAAA record must be allowed. Connect time checks again
 * (DNS rebinding), so this is for early, friendly errors.
 *
 * @throws HookwireServerError `BLOCKED_URL` when any record is not allowed or the name does not resolve.
 */
export async function assertSafeUrlResolved(
  input: string,
  opts: SafeUrlOptions & { resolver?: Resolver } = {},
): Promise<URL> {
  const url = assertSafeUrl(input, opts);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    return url;
  }
  let addresses: ResolvedAddress[];
  try {
    addresses = await (opts.resolver ?? systemResolver)(host);
  } catch (cause) {
    throw new HookwireServerError('BLOCKED_URL', `endpoint host ${host} does not resolve`, { cause });
  }
  const bad = addresses.find((a) => !isAllowedAddress(a.address, opts));
  if (addresses.length === 0 || bad) {
    throw blocked(redactUrl(url), bad ? `${host} resolves to ${bad.address}` : `${host} has no address`);
  }
  return url;
}

/** The URL with user info removed, for logs and attempt records (HARDENING 41). */
export function redactUrl(url: URL | string): string {
  const u = new URL(url.toString());
  if (u.username || u.password) {
    u.username = 'redacted';
    u.password = '';
  }
  return u.toString();
}

/**
 * A `net`/`tls` `lookup` that resolves with `resolver` and keeps only allowed addresses, so the socket can
 * only ever connect to what was checked (DNS rebinding, HARDENING 30). Mixed records: the allowed ones are
 * dialled, the rest dropped (HARDENING 31); none allowed: `BLOCKED_ADDRESS`.
 */
export function createGuardedLookup(opts: { dev?: boolean; resolver?: Resolver } = {}): LookupFunction {
  const resolver = opts.resolver ?? systemResolver;
  return (hostname, options, callback) => {
    resolver(hostname).then(
      (addresses) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const allowed = addresses.filter(
          (a) => (family === 0 || a.family === family) && isAllowedAddress(a.address, opts),
        );
        if (allowed.length === 0) {
          const shown = addresses.map((a) => a.address).join(', ') || 'no address';
          callback(
            new HookwireServerError(
              'BLOCKED_ADDRESS',
              `refusing to connect to ${hostname}: it resolves to ${shown}, which is not a public address`,
            ),
            '',
            0,
          );
          return;
        }
        if (options.all) {
          (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, allowed);
        } else {
          callback(null, allowed[0]!.address, allowed[0]!.family);
        }
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/**
 * An undici connector that refuses disallowed IP literals (which skip `lookup`) and resolves names through
 * {@link createGuardedLookup}. TLS verification stays on (HARDENING 40).
 */
export function createGuardedConnector(
  opts: { dev?: boolean; resolver?: Resolver; connectTimeoutMs?: number } = {},
): buildConnector.connector {
  const inner = buildConnector({
    timeout: opts.connectTimeoutMs ?? 10_000,
    lookup: createGuardedLookup(opts),
  });
  return (options, callback) => {
    const host = options.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !isAllowedAddress(host, opts)) {
      callback(
        new HookwireServerError(
          'BLOCKED_ADDRESS',
          `refusing to connect to ${host}: ${classifyAddress(host)} address`,
        ),
        null,
      );
      return;
    }
    inner(options, callback);
  };
}
