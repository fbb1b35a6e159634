/**
 * Where the dashboard's credential lives: a tenant API key typed on the sign-in page, or a portal token that
 * arrived in the URL fragment (`/ui#token=hwp_…`). Kept in sessionStorage (this tab only, gone when it
 * closes), never in localStorage or a cookie, and the fragment is wiped from the address bar at once so the
 * token is not left in history or bookmarks.
 */
const STORAGE_KEY = 'hookwire.credential';

export interface Credential {
  token: string;
  kind: 'api-key' | 'portal';
}

export function takeTokenFromUrl(): Credential | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (!match?.[1]) {
    return null;
  }
  const credential: Credential = { token: decodeURIComponent(match[1]), kind: 'portal' };
  saveCredential(credential);
  window.history.replaceState(null, '', `${window.location.pathname}#/endpoints`);
  return credential;
}

export function loadCredential(): Credential | null {
  try {
    const raw = window.sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Credential) : null;
  } catch {
    return null; // storage disabled or garbage: sign in again
  }
}

export function saveCredential(credential: Credential): void {
  window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(credential));
}

export function clearCredential(): void {
  window.sessionStorage.removeItem(STORAGE_KEY);
}
