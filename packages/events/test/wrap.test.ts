import { describe, expect, it } from 'vitest';
import { API_VERSIONS, type OutgoingMessage, RESERVED_CONTEXT_KEYS, wrap } from '../src/index.js';

const message: OutgoingMessage = {
  id: 'msg_1',
  type: 'link.click',
  timestamp: new Date('2026-11-23T10:00:00.000Z'),
  data: { link_id: 'lnk_abc' },
};

describe('wrap', () => {
  it('uses the documented API versions', () => {
    expect(API_VERSIONS).toEqual({ v1: '2021-08-23', v2: '2026-02-09' });
    expect(RESERVED_CONTEXT_KEYS).toEqual(['id', 'apiVersion', 'eventType', 'eventTime']);
  });

  it('returns plain objects that survive a JSON round trip unchanged', () => {
    for (const version of ['v1', 'v2'] as const) {
      const envelope = wrap(version, { ...message, context: { a: 1 }, customData: { b: 2 } });
      expect(JSON.parse(JSON.stringify(envelope))).toEqual(envelope);
    }
  });

  it('treats a __proto__ context key as data, never as a prototype', () => {
    const context = JSON.parse('{"__proto__":{"polluted":true},"campaignId":"c"}') as Record<string, unknown>;
    const envelope = wrap('v2', { ...message, context });
    const metadata = envelope['metadata'] as Record<string, unknown>;
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(metadata['polluted']).toBeUndefined();
    expect(JSON.stringify(envelope)).toContain('"__proto__":{"polluted":true}');
  });

  it('drops undefined context values instead of writing them', () => {
    const envelope = wrap('v2', { ...message, context: { a: undefined, b: 0 } });
    expect(Object.keys(envelope['metadata'] as object)).toEqual([
      'id',
      'apiVersion',
      'eventType',
      'eventTime',
      'b',
    ]);
  });

  it.each<[string, Partial<OutgoingMessage> | Record<string, unknown>]>([
    ['empty id', { id: '' }],
    ['non-string id', { id: 1 }],
    ['empty type', { type: '' }],
    ['timestamp as a string', { timestamp: '2026-11-23T10:00:00.000Z' }],
    ['invalid Date', { timestamp: new Date(Number.NaN) }],
    ['year beyond 9999', { timestamp: new Date('+010000-01-01T00:00:00Z') }],
    ['undefined data', { data: undefined }],
    ['array context', { context: [] }],
    ['class instance customData', { customData: new Map() }],
    ['empty apiVersion', { apiVersion: '' }],
  ])('throws a TypeError for %s', (_name, patch) => {
    expect(() => wrap('v2', { ...message, ...patch } as OutgoingMessage)).toThrow(TypeError);
    expect(() => wrap('v1', { ...message, ...patch } as OutgoingMessage)).toThrow(TypeError);
  });

  it('throws for an unknown version', () => {
    expect(() => wrap('v3' as never, message)).toThrow(/unknown envelope format "v3"/);
  });
});

describe('wrap: flat format', () => {
  const base = { id: 'msg_1', type: 'link.clicked', timestamp: new Date('2026-11-23T10:00:00.000Z') };

  it('nests data it cannot flatten without losing something', () => {
    expect(wrap('flat', { ...base, data: [1, 2] })).toEqual({ event: 'link.clicked', data: [1, 2] });
    expect(wrap('flat', { ...base, data: 'text' })).toEqual({ event: 'link.clicked', data: 'text' });
    expect(wrap('flat', { ...base, data: { event: 'other' } })).toEqual({
      event: 'link.clicked',
      data: { event: 'other' },
    });
  });

  it('keeps a __proto__ data key as an own property', () => {
    const data = JSON.parse('{"__proto__":{"polluted":true},"link_id":"lnk_1"}') as Record<string, unknown>;
    const out = wrap('flat', { ...base, data });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe(
      '{"event":"link.clicked","__proto__":{"polluted":true},"link_id":"lnk_1"}',
    );
  });
});
