import { ApiError } from './problem.js';

/**
 * API cursors wrap the store's cursor with the name of the list they belong to, so a cursor from another
 * list (or a hand-made one) is `INVALID_CURSOR` instead of a silently wrong page.
 */
export function encodeApiCursor(list: string, storeCursor: string | null): string | null {
  return storeCursor === null
    ? null
    : Buffer.from(JSON.stringify({ l: list, c: storeCursor }), 'utf8').toString('base64url');
}

/** @throws ApiError `INVALID_CURSOR` */
export function decodeApiCursor(list: string, cursor: string | undefined): string | undefined {
  if (cursor === undefined) {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'l' in parsed &&
      'c' in parsed &&
      parsed.l === list &&
      typeof parsed.c === 'string'
    ) {
      return parsed.c;
    }
  } catch {
    // fall through to the typed error
  }
  throw new ApiError(
    'INVALID_CURSOR',
    'The cursor is invalid for this list: pass back the nextCursor of a page.',
  );
}
