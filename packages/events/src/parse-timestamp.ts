/*
 * RFC 3339 date-time (the ISO 8601 profile every envelope uses): `2026-11-23T10:00:00.000Z`, `...+02:00`.
 * The grammar, read below character by character:
 *   YYYY-MM-DDTHH:MM:SS[.F{1,9}](Z|(+|-)HH:MM)   (ASCII digits, upper-case T and Z)
 * A hand-written scan instead of a regex: this runs once per received webhook, and a regex `exec` allocates a
 * match array and a substring per group (test/parse-timestamp.test.ts checks it against that regex).
 */

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) {
    return 29;
  }
  return DAYS_IN_MONTH[month - 1]!;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`). Plain arithmetic:
 * `Date.UTC` is a call into the runtime on every webhook, and it reads years 0-99 as 1900-1999.
 */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The ASCII digit at `i` as a number, or -1 (also past the end: `charCodeAt` is NaN there). */
function digit(text: string, i: number): number {
  const d = text.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

/**
 * Two ASCII digits at `i` as a number, or -1. Reads the characters itself rather than through `digit`: called
 * nine times per timestamp, a nested call is what kept V8 from inlining it (measured under callgrind).
 */
function two(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Whether `text` has the character code `code` at `i`. */
function at(text: string, i: number, code: number): boolean {
  return text.charCodeAt(i) === code;
}

const DASH = 45;
const COLON = 58;
const DOT = 46;
const PLUS = 43;
const T = 84;
const Z = 90;

/**
 * Parses an RFC 3339 timestamp strictly. `Date.parse` alone accepts far more (`'1'`, `'May 1'`, local times
 * without an offset, `2026-02-30` rolled over to March), which would let a malformed envelope through with
 * a wrong time; this returns `undefined` for all of those.
 */
export function parseTimestamp(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value.length < 20) {
    return undefined; // 20: the shortest form, `YYYY-MM-DDTHH:MM:SSZ`
  }
  const century = two(value, 0);
  const yy = two(value, 2);
  const month = two(value, 5);
  const day = two(value, 8);
  const hour = two(value, 11);
  const minute = two(value, 14);
  const second = two(value, 17);
  if (
    century < 0 ||
    yy < 0 ||
    !at(value, 4, DASH) ||
    !at(value, 7, DASH) ||
    !at(value, 10, T) ||
    !at(value, 13, COLON) ||
    !at(value, 16, COLON) ||
    month < 0 ||
    day < 0 ||
    hour < 0 ||
    minute < 0 ||
    second < 0
  ) {
    return undefined;
  }
  const year = century * 100 + yy;
  let i = 19;
  let millis = 0;
  if (at(value, i, DOT)) {
    // 1 to 9 fraction digits; the first three are the milliseconds, the rest are dropped.
    let count = 0;
    for (let d = digit(value, i + 1); d >= 0 && count <= 9; d = digit(value, i + 1 + count)) {
      if (count < 3) {
        millis += d * (count === 0 ? 100 : count === 1 ? 10 : 1);
      }
      count += 1;
    }
    if (count < 1 || count > 9) {
      return undefined;
    }
    i += 1 + count;
  }
  let offsetMinutes = 0;
  if (at(value, i, Z)) {
    if (value.length !== i + 1) {
      return undefined;
    }
  } else {
    const sign = value.charCodeAt(i);
    const offsetHour = two(value, i + 1);
    const offsetMinute = two(value, i + 4);
    if (
      (sign !== PLUS && sign !== DASH) ||
      offsetHour < 0 ||
      !at(value, i + 3, COLON) ||
      offsetMinute < 0 ||
      value.length !== i + 6
    ) {
      return undefined;
    }
    if (offsetHour > 23 || offsetMinute > 59) {
      return undefined;
    }
    offsetMinutes = (sign === DASH ? -1 : 1) * (offsetHour * 60 + offsetMinute);
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return undefined;
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const utc =
    daysSinceEpoch(year, month, day) * 86_400_000 +
    hour * 3_600_000 +
    minute * 60_000 +
    second * 1000 +
    millis;
  return new Date(utc - offsetMinutes * 60_000);
}
