import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routes (`#/deliveries/dlv_…`): the server only has to serve one page for the whole app, and a
 * reload keeps the screen. Query parameters after `?` hold list filters.
 */
export type Route =
  | { name: 'endpoints' }
  | { name: 'endpoint-new' }
  | { name: 'endpoint'; id: string }
  | { name: 'endpoint-edit'; id: string }
  | { name: 'deliveries'; query: URLSearchParams }
  | { name: 'delivery'; id: string };

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, id, action] = parts;
  if (first === 'endpoints' && id === 'new') {
    return { name: 'endpoint-new' };
  }
  if (first === 'endpoints' && id) {
    return action === 'edit' ? { name: 'endpoint-edit', id } : { name: 'endpoint', id };
  }
  if (first === 'deliveries' && id) {
    return { name: 'delivery', id };
  }
  if (first === 'deliveries') {
    return { name: 'deliveries', query: new URLSearchParams(search) };
  }
  return { name: 'endpoints' };
}

export const href = {
  endpoints: () => '#/endpoints',
  newEndpoint: () => '#/endpoints/new',
  endpoint: (id: string) => `#/endpoints/${encodeURIComponent(id)}`,
  editEndpoint: (id: string) => `#/endpoints/${encodeURIComponent(id)}/edit`,
  deliveries: (query?: Record<string, string | undefined>) => {
    const qs = new URLSearchParams(
      Object.entries(query ?? {}).filter((e): e is [string, string] => Boolean(e[1])),
    ).toString();
    return qs ? `#/deliveries?${qs}` : '#/deliveries';
  },
  delivery: (id: string) => `#/deliveries/${encodeURIComponent(id)}`,
};

export function navigate(to: string): void {
  window.location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
