import { describe, expect, it } from 'vitest';
import { randomBytesPooled, randomHex } from '../../src/random-pool.js';

describe('pooled random bytes', () => {
  it('hands out distinct values of the asked size across pool refills', () => {
    const seen = new Set<string>();
    // 1000 x 12 bytes spans three 4 KiB refills.
    for (let i = 0; i < 1000; i++) {
      const hex = randomHex(12);
      expect(hex).toMatch(/^[0-9a-f]{24}$/);
      seen.add(hex);
    }
    expect(seen.size).toBe(1000);
  });

  it('returns arrays that later draws do not change', () => {
    const a = randomBytesPooled(10);
    const copy = [...a];
    for (let i = 0; i < 1000; i++) {
      randomBytesPooled(10);
    }
    expect([...a]).toEqual(copy);
    expect(a.length).toBe(10);
    expect(() => randomBytesPooled(5000)).toThrow(RangeError);
  });
});
