import { createHookwireClient, type HookwireClient, isHookwireApiError } from '@hookwire/client';

/** The typed client, against the server that served this page (same origin, so the CSP allows it). */
export function createApi(token: string): HookwireClient {
  return createHookwireClient({ baseUrl: window.location.origin, apiKey: token, timeoutMs: 20_000 });
}

/** What a person should read for a failed call: the server's own words, with the names it rejected. */
export function errorMessage(err: unknown): string {
  if (isHookwireApiError(err)) {
    const detail = err.detail ?? err.title ?? err.message;
    const invalid = err.invalid.length > 0 ? ` (${err.invalid.join(', ')})` : '';
    return `${detail}${invalid}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** True for 401: the key or portal link no longer works, so the app shows sign-in again. */
export const isUnauthorized = (err: unknown): boolean => isHookwireApiError(err) && err.status === 401;
