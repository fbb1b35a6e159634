import { isIPv4, isIPv6 } from 'node:net';

/** Why an address may not be dialled; `null` = a public unicast address. */
export type AddressClass =
  | 'loopback'
  | 'private'
  | 'link_local'
  | 'cgnat'
  | 'unique_local'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'documentation'
  | 'benchmarking'
  | 'translation'
  | null;

type V4Range = [base: number, bits: number, cls: Exclude<AddressClass, null>];

const v4 = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

// IANA IPv4 special-purpose registry, plus multicast and the reserved class E.
const V4_RANGES: V4Range[] = [
  [v4(0, 0, 0, 0), 8, 'unspecified'],
  [v4(10, 0, 0, 0), 8, 'private'],
  [v4(100, 64, 0, 0), 10, 'cgnat'],
  [v4(127, 0, 0, 0), 8, 'loopback'],
  [v4(169, 254, 0, 0), 16, 'link_local'], // includes 169.254.169.254, the cloud metadata service
  [v4(172, 16, 0, 0), 12, 'private'],
  [v4(192, 0, 0, 0), 24, 'reserved'],
  [v4(192, 0, 2, 0), 24, 'documentation'],
  [v4(192, 88, 99, 0), 24, 'reserved'], // 6to4 relay anycast
  [v4(192, 168, 0, 0), 16, 'private'],
  [v4(198, 18, 0, 0), 15, 'benchmarking'],
  [v4(198, 51, 100, 0), 24, 'documentation'],
  [v4(203, 0, 113, 0), 24, 'documentation'],
  [v4(224, 0, 0, 0), 4, 'multicast'],
  [v4(255, 255, 255, 255), 32, 'broadcast'],
  [v4(240, 0, 0, 0), 4, 'reserved'],
];

function parseV4(address: string): number | null {
  if (!isIPv4(address)) {
    return null;
  }
  const parts = address.split('.').map(Number);
  return v4(parts[0]!, parts[1]!, parts[2]!, parts[3]!);
}

function classifyV4Int(ip: number): AddressClass {
  for (const [base, bits, cls] of V4_RANGES) {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    if ((ip & mask) >>> 0 === base) {
      return cls;
    }
  }
  return null;
}

/** Expands an IPv6 address (optionally with a dotted IPv4 tail or a zone) to eight 16-bit groups. */
export function expandIPv6(address: string): number[] | null {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!isIPv6(bare)) {
    return null;
  }
  let text = bare;
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    // Rewrite a dotted IPv4 tail (::ffff:1.2.3.4) as two hex groups.
    const n = parseV4(maybeV4);
    if (n === null) {
      return null;
    }
    text = `${text.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const toGroups = (s: string) => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)));
  const headGroups = toGroups(head);
  const restGroups = rest === undefined ? [] : toGroups(rest);
  const fill = 8 - headGroups.length - restGroups.length;
  if (fill < 0 || (rest === undefined && fill !== 0)) {
    return null;
  }
  const groups = [...headGroups, ...new Array<number>(fill).fill(0), ...restGroups];
  return groups.length === 8 ? groups : null;
}

const v4FromGroups = (hi: number, lo: number): number => ((hi << 16) | lo) >>> 0;

function classifyV6(g: number[]): AddressClass {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const firstSixZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (firstSixZero && g5 === 0 && g6 === 0 && g7 === 0) {
    return 'unspecified';
  }
  if (firstSixZero && g5 === 0 && g6 === 0 && g7 === 1) {
    return 'loopback';
  }
  // ::ffff:a.b.c.d (IPv4-mapped) and the deprecated ::a.b.c.d (IPv4-compatible): judge the IPv4 inside.
  if (firstSixZero && (g5 === 0xffff || g5 === 0)) {
    return classifyV4Int(v4FromGroups(g6, g7)) ?? (g5 === 0 ? 'reserved' : null);
  }
  // 64:ff9b::/96 well-known NAT64 prefix: judge the embedded IPv4.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return classifyV4Int(v4FromGroups(g6, g7));
  }
  // 64:ff9b:1::/48 local-use NAT64: operator-specific, may reach anything.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) {
    return 'translation';
  }
  // 2002::/16 6to4: the IPv4 is in groups 1-2.
  if (g0 === 0x2002) {
    return classifyV4Int(v4FromGroups(g1, g2));
  }
  // 2001::/32 Teredo tunnels to an obfuscated IPv4 behind NAT: not a legitimate webhook target.
  if (g0 === 0x2001 && g1 === 0) {
    return 'translation';
  }
  if (g0 === 0x2001 && g1 === 0xdb8) {
    return 'documentation';
  }
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) {
    return 'reserved'; // discard-only 100::/64
  }
  if ((g0 & 0xfe00) === 0xfc00) {
    return 'unique_local'; // fc00::/7, e.g. fd00:ec2::254 (AWS metadata over IPv6)
  }
  if ((g0 & 0xffc0) === 0xfe80) {
    return 'link_local';
  }
  if ((g0 & 0xffc0) === 0xfec0) {
    return 'private'; // deprecated site-local
  }
  if ((g0 & 0xff00) === 0xff00) {
    return 'multicast';
  }
  // Only 2000::/3 is allocated global unicast; anything else is reserved.
  if ((g0 & 0xe000) !== 0x2000) {
    return 'reserved';
  }
  return null;
}

/**
 * Classifies an IP literal (IPv4, IPv6 with or without brackets/zone). Returns null for a public unicast
 * address, the reason otherwise; non-IP input is 'reserved' (fail closed).
 *
 * @example classifyAddress('::ffff:169.254.169.254') // 'link_local'
 */
export function classifyAddress(address: string): AddressClass {
  const n = parseV4(address);
  if (n !== null) {
    return classifyV4Int(n);
  }
  const g = expandIPv6(address);
  return g ? classifyV6(g) : 'reserved';
}

/** Whether the dispatcher may connect to `address`. Dev mode additionally allows loopback, nothing else. */
export function isAllowedAddress(address: string, opts: { dev?: boolean } = {}): boolean {
  const cls = classifyAddress(address);
  return cls === null || (opts.dev === true && cls === 'loopback');
}
