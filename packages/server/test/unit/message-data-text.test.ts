import { describe, expect, it } from 'vitest';
import { attachDataText, dataTextOf } from '../../src/store/message-data-text.js';

describe('message data text', () => {
  it('rides on its carrier, invisible to JSON, spreads and equality', () => {
    const input = { eventType: 'a.b', data: { n: 1 } };
    expect(attachDataText(input, '{"n":1}')).toBe(input);
    expect(dataTextOf(input)).toBe('{"n":1}');
    expect(JSON.stringify(input)).toBe('{"eventType":"a.b","data":{"n":1}}');
    expect(Object.keys(input)).toEqual(['eventType', 'data']);
    const copy = { ...input };
    expect(dataTextOf(copy)).toBeUndefined(); // a copy may change its data: it carries no text
    expect(copy).toEqual({ eventType: 'a.b', data: { n: 1 } });
    expect(input).toEqual(copy);
  });

  it('is per carrier, and absent unless attached', () => {
    const one = { data: 1 };
    const two = { data: 1 };
    attachDataText(one, '1');
    expect(dataTextOf(one)).toBe('1');
    expect(dataTextOf(two)).toBeUndefined();
  });
});
