import { describe, expect, it } from 'vitest';
import { classifyAddress, isAllowedAddress } from '../../src/dispatcher/ip-address.js';
import {
  assertSafeUrl,
  assertSafeUrlResolved,
  createGuardedLookup,
  redactUrl,
} from '../../src/dispatcher/ssrf.js';

const code = (fn: () => unknown): string | null => {
  try {
    fn();
    return null;
  } catch (e) {
    return (e as { code?: string }).code ?? 'no-code';
  }
};

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link_local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.5', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['[::1]', 'loopback'],
    ['fd00:ec2::254', 'unique_local'],
    ['fc00::1', 'unique_local'],
    ['fe80::1%eth0', 'link_local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link_local'],
    ['::ffff:a9fe:a9fe', 'link_local'],
    ['::10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'link_local'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b:1::1', 'translation'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'translation'],
    ['2001:db8::1', 'documentation'],
    ['not-an-ip', 'reserved'],
  ])('%s is %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '2002:808:808::1',
    '64:ff9b::808:808',
  ])('%s is public', (address) => {
    expect(classifyAddress(address)).toBeNull();
    expect(isAllowedAddress(address)).toBe(true);
  });

  it('dev mode allows loopback only', () => {
    expect(isAllowedAddress('127.0.0.1', { dev: true })).toBe(true);
    expect(isAllowedAddress('::1', { dev: true })).toBe(true);
    expect(isAllowedAddress('127.0.0.1')).toBe(false);
    expect(isAllowedAddress('10.0.0.1', { dev: true })).toBe(false);
    expect(isAllowedAddress('169.254.169.254', { dev: true })).toBe(false);
  });
});

describe('assertSafeUrl (HARDENING 26, 27, 38, 39, 41)', () => {
  it.each([
    'https://127.0.0.1/hook',
    'https://[::1]/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://10.0.0.8/',
    'https://[fd00:ec2::254]/',
    'https://[::ffff:169.254.169.254]/',
    'https://2130706433/',
    'https://0x7f.1/',
    'https://0177.0.0.1/',
    'https://127.1/',
    'https://0/',
    'https://localhost/',
    'https://localhost./',
    'https://api.localhost/',
    'https://metadata.google.internal/',
    'https://printer.local/',
    'https://intranet/',
    'file:///etc/passwd',
    'gopher://example.com/',
    'ftp://example.com/',
    'data:text/plain,hi',
    'https://user:pass@example.com/',
    'not a url',
  ])('rejects %s with BLOCKED_URL', (url) => {
    expect(code(() => assertSafeUrl(url))).toBe('BLOCKED_URL');
  });

  it('normalises alternative IPv4 spellings before checking (all become 127.0.0.1)', () => {
    for (const host of ['2130706433', '0x7f.1', '0177.0.0.1', '127.1']) {
      expect(new URL(`https://${host}/`).hostname).toBe('127.0.0.1');
    }
  });

  it('http:// is INSECURE_URL outside dev mode, allowed in dev', () => {
    expect(code(() => assertSafeUrl('http://hooks.example.com/'))).toBe('INSECURE_URL');
    expect(code(() => assertSafeUrl('http://hooks.example.com/', { dev: true }))).toBeNull();
  });

  it('dev mode allows loopback but nothing private', () => {
    expect(code(() => assertSafeUrl('http://127.0.0.1:3000/hook', { dev: true }))).toBeNull();
    expect(code(() => assertSafeUrl('http://localhost:3000/hook', { dev: true }))).toBeNull();
    expect(code(() => assertSafeUrl('http://[::1]:3000/hook', { dev: true }))).toBeNull();
    expect(code(() => assertSafeUrl('http://10.0.0.1/', { dev: true }))).toBe('BLOCKED_URL');
    expect(code(() => assertSafeUrl('http://169.254.169.254/', { dev: true }))).toBe('BLOCKED_URL');
  });

  it('accepts public https URLs and returns them normalised', () => {
    expect(assertSafeUrl('https://Hooks.Example.com:443/in?x=1').toString()).toBe(
      'https://hooks.example.com/in?x=1',
    );
  });

  it('never echoes credentials in its messages', () => {
    try {
      assertSafeUrl('https://user:hunter2@example.com/');
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('hunter2');
    }
    expect(redactUrl('https://user:hunter2@example.com/x')).toBe('https://redacted@example.com/x');
  });

  it('assertSafeUrlResolved rejects a name with any private record', async () => {
    const resolver = async (host: string) =>
      host === 'mixed.example.com'
        ? [
            { address: '93.184.216.34', family: 4 as const },
            { address: '10.0.0.1', family: 4 as const },
          ]
        : [{ address: '93.184.216.34', family: 4 as const }];
    await expect(assertSafeUrlResolved('https://mixed.example.com/', { resolver })).rejects.toMatchObject({
      code: 'BLOCKED_URL',
    });
    await expect(assertSafeUrlResolved('https://ok.example.com/', { resolver })).resolves.toBeInstanceOf(URL);
    const failing = async () => {
      throw new Error('ENOTFOUND');
    };
    await expect(
      assertSafeUrlResolved('https://nx.example.com/', { resolver: failing }),
    ).rejects.toMatchObject({
      code: 'BLOCKED_URL',
    });
  });
});

describe('createGuardedLookup (HARDENING 29–31)', () => {
  const lookupAll = (lookup: ReturnType<typeof createGuardedLookup>, host: string) =>
    new Promise<unknown>((resolve) => {
      lookup(host, { all: true }, (err, addresses) => resolve(err ?? addresses));
    });

  it('drops disallowed records and dials only the allowed ones', async () => {
    const lookup = createGuardedLookup({
      resolver: async () => [
        { address: '10.0.0.1', family: 4 },
        { address: '93.184.216.34', family: 4 },
        { address: 'fd00::1', family: 6 },
      ],
    });
    expect(await lookupAll(lookup, 'mixed.example.com')).toEqual([{ address: '93.184.216.34', family: 4 }]);
  });

  it('fails closed when nothing is allowed (a name pointing at localhost or metadata)', async () => {
    const lookup = createGuardedLookup({
      resolver: async () => [
        { address: '127.0.0.1', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ],
    });
    expect(await lookupAll(lookup, 'rebind.example.com')).toMatchObject({ code: 'BLOCKED_ADDRESS' });
  });

  it('answers the single-address form too', async () => {
    const lookup = createGuardedLookup({ resolver: async () => [{ address: '93.184.216.34', family: 4 }] });
    const got = await new Promise((resolve) => {
      lookup('a.example.com', {}, (err, address, family) => resolve([err, address, family]));
    });
    expect(got).toEqual([null, '93.184.216.34', 4]);
  });
});
