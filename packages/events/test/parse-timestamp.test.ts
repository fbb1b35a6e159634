import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../src/parse-timestamp.js';

describe('parseTimestamp', () => {
  it.each([
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ['0050-01-01T00:00:00Z', '0050-01-01T00:00:00.000Z'],
    ['2026-11-23T10:00:00.5+02:00', '2026-11-23T08:00:00.500Z'],
    ['2026-12-31T23:59:59.123456-00:30', '2027-01-01T00:29:59.123Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseTimestamp(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '2023-02-29T00:00:00Z', // not a leap year
    '1900-02-29T00:00:00Z', // century, not divisible by 400
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-23T24:00:00Z',
    '2026-11-23T10:60:00Z',
    '2026-11-23T10:00:60Z',
    '2026-11-23T10:00:00+24:00',
    '2026-11-23T10:00:00', // no offset: local time is ambiguous
    '2026-11-23 10:00:00Z',
    '1732356000',
  ])('rejects %s', (text) => {
    expect(parseTimestamp(text)).toBeUndefined();
  });

  it('rejects non-strings', () => {
    expect(parseTimestamp(1732356000)).toBeUndefined();
    expect(parseTimestamp(null)).toBeUndefined();
  });
});
