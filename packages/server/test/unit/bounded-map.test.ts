import { describe, expect, it } from 'vitest';
import { getOrCompute, setBounded } from '../../src/bounded-map.js';

describe('bounded maps', () => {
  it('setBounded empties a full map before adding, so it never exceeds max', () => {
    const map = new Map<string, number>([
      ['a', 1],
      ['b', 2],
    ]);
    expect(setBounded(map, 'c', 3, 3)).toBe(3);
    expect([...map.keys()]).toEqual(['a', 'b', 'c']);
    setBounded(map, 'd', 4, 3);
    expect([...map.entries()]).toEqual([['d', 4]]);
  });

  it('getOrCompute computes once per key while it stays cached', () => {
    const map = new Map<string, string>();
    let calls = 0;
    const upper = (key: string) => {
      calls++;
      return key.toUpperCase();
    };
    expect(getOrCompute(map, 'x', 2, upper)).toBe('X');
    expect(getOrCompute(map, 'x', 2, upper)).toBe('X');
    expect(calls).toBe(1);
    getOrCompute(map, 'y', 2, upper);
    getOrCompute(map, 'z', 2, upper); // full: emptied, then z
    expect([...map.keys()]).toEqual(['z']);
    expect(calls).toBe(3);
  });
});
