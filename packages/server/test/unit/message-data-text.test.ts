import { describe, expect, it } from 'vitest';
import {
  jsonTextOf,
  measureJson,
  storedDataText,
  withStoredData,
} from '../../src/store/message-data-text.js';

describe('message data text', () => {
  it('hands the store the text the API measured, and serialises anything else itself', () => {
    const data = { a: 1, b: [true, null] };
    expect(measureJson(data)).toBe('{"a":1,"b":[true,null]}');
    expect(jsonTextOf(data)).toBe('{"a":1,"b":[true,null]}');
    expect(jsonTextOf({ other: 'object' })).toBe('{"other":"object"}');
    expect(jsonTextOf('text')).toBe('"text"');
    expect(jsonTextOf(null)).toBe('null');
  });

  it('parses stored data on first read only, and forgets the text once the value was read', () => {
    const message = withStoredData({ id: 'msg_1' }, '{"n":1}');
    expect(storedDataText(message)).toBe('{"n":1}');
    expect(message.data).toEqual({ n: 1 });
    expect(message.data).toBe(message.data); // parsed once, then a plain property
    expect(storedDataText(message)).toBeUndefined();
    (message.data as { n: number }).n = 2;
    expect(message).toEqual({ id: 'msg_1', data: { n: 2 } });
  });

  it('an assignment replaces the stored data and its text', () => {
    const message = withStoredData({ id: 'msg_2' }, '[1,2]');
    message.data = 'new';
    expect(message.data).toBe('new');
    expect(storedDataText(message)).toBeUndefined();
    expect(Object.keys(message)).toEqual(['id', 'data']);
  });
});
