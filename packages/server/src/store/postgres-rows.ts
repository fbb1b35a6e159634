import { type ColumnCodec, createRowMappers } from './rows.js';

/**
 * node-postgres already turns `timestamptz` into `Date`, `json` into values and `boolean`/`integer` into their
 * JS types, so the PostgreSQL store's columns need no decoding.
 */
const postgresColumns: ColumnCodec = {
  date: (v) => v as Date,
  json: <T>(v: unknown) => v as T,
  bool: (v) => v === true,
};

export const {
  tenantFrom,
  apiKeyFrom,
  endpointFrom,
  eventTypeFrom,
  messageFrom,
  deliveryFrom,
  attemptFrom,
  sourceRecordFrom,
} = createRowMappers(postgresColumns);

/**
 * PostgreSQL `text` cannot hold U+0000; a receiver's binary response preview or error text may. Replaced by
 * U+FFFD so the attempt is still recorded (otherwise the write would fail and the delivery repeat forever).
 */
export const pgText = (s: string): string => (s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s);
export const pgTextOrNull = (s: string | null | undefined): string | null =>
  s === null || s === undefined ? null : pgText(s);
