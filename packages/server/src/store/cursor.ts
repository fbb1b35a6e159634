import { HookwireServerError } from '../errors.js';

/** Opaque cursors: base64url JSON of the last row's sort key. Clients must not build them. */
export function encodeCursor(lastKey: string): string {
  return Buffer.from(JSON.stringify({ k: lastKey }), 'utf8').toString('base64url');
}

/** @throws HookwireServerError `INVALID_CURSOR` for anything `encodeCursor` did not produce. */
export function decodeCursor(cursor: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'k' in parsed && typeof parsed.k === 'string') {
      return parsed.k;
    }
  } catch {
    // fall through to the typed error
  }
  throw new HookwireServerError(
    'INVALID_CURSOR',
    'the cursor is invalid: pass back the nextCursor of a page',
  );
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 250;

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) {
    return DEFAULT_PAGE_SIZE;
  }
  if (!Number.isInteger(limit) || limit < 1) {
    throw new HookwireServerError('INVALID_INPUT', 'limit must be a positive integer');
  }
  return Math.min(limit, MAX_PAGE_SIZE);
}
