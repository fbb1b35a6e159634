/** RFC 3339 date-time (the ISO 8601 profile every envelope uses): `2026-11-23T10:00:00.000Z`, `...+02:00`. */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) {
    return 29;
  }
  return DAYS_IN_MONTH[month - 1]!;
}

/** Two ASCII digits at `i` as a number (the regex has already guaranteed they are digits). */
function two(text: string, i: number): number {
  return (text.charCodeAt(i) - 48) * 10 + text.charCodeAt(i + 1) - 48;
}

/**
 * Parses an RFC 3339 timestamp strictly. `Date.parse` alone accepts far more (`'1'`, `'May 1'`, local times
 * without an offset, `2026-02-30` rolled over to March), which would let a malformed envelope through with
 * a wrong time; this returns `undefined` for all of those.
 *
 * Receivers call this once per request, so it reads fields by position instead of allocating match arrays
 * and intermediate Dates.
 */
export function parseTimestamp(value: unknown): Date | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  const m = RFC3339.exec(value);
  if (!m) {
    return undefined;
  }
  const year = Number(m[1]);
  const month = two(value, 5);
  const day = two(value, 8);
  const hour = two(value, 11);
  const minute = two(value, 14);
  const second = two(value, 17);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return undefined;
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const offsetHour = Number(m[10]);
    const offsetMinute = Number(m[11]);
    if (offsetHour > 23 || offsetMinute > 59) {
      return undefined;
    }
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHour * 60 + offsetMinute);
  }
  const fraction = m[7];
  const millis = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
  let utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (year < 100) {
    // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear keeps them literal.
    const d = new Date(utc);
    d.setUTCFullYear(year);
    utc = d.getTime();
  }
  return new Date(utc - offsetMinutes * 60_000);
}
