import { describe, expect, it } from 'vitest';
import { createMemoryDedupe } from '../../src/receiver/index.js';

describe('createMemoryDedupe', () => {
  it('claims once, reports in_progress until settled, then completed', () => {
    const store = createMemoryDedupe();
    expect(store.claim('a', 60)).toBe('claimed');
    expect(store.claim('a', 60)).toBe('in_progress');
    store.complete('a', 60);
    expect(store.claim('a', 60)).toBe('completed');
  });

  it('forgets a released claim so a retry can run the handler', () => {
    const store = createMemoryDedupe();
    expect(store.claim('a', 60)).toBe('claimed');
    store.release('a');
    expect(store.claim('a', 60)).toBe('claimed');
  });

  it('expires ids after their TTL', () => {
    let now = 1_000_000;
    const store = createMemoryDedupe({ now: () => now });
    store.claim('a', 10);
    store.complete('a', 10);
    now += 9_999;
    expect(store.claim('a', 10)).toBe('completed');
    now += 2;
    expect(store.claim('a', 10)).toBe('claimed');
  });

  it('evicts the least recently written id beyond max', () => {
    const store = createMemoryDedupe({ max: 2 });
    store.claim('a', 60);
    store.claim('b', 60);
    store.complete('a', 60); // a is now the most recent
    store.claim('c', 60); // evicts b
    expect(store.claim('a', 60)).toBe('completed');
    expect(store.claim('b', 60)).toBe('claimed');
  });

  it('rejects an invalid max', () => {
    expect(() => createMemoryDedupe({ max: 0 })).toThrow(TypeError);
  });
});
