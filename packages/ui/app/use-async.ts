import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from './api.js';
import { useDashboard } from './context.js';

export interface AsyncState<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => Promise<void>;
}

/**
 * Loads `load()` when `deps` change (and on `reload()`), dropping answers that arrive after a newer request
 * started, so a slow old page never overwrites a newer one.
 */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): AsyncState<T> {
  const { onError } = useDashboard();
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  // The caller's deps decide when to reload (like useEffect's).
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const value = await load();
      if (mine === generation.current) {
        setData(value);
        setError(null);
      }
    } catch (err) {
      if (mine === generation.current) {
        setError(errorMessage(err));
        onError(err);
      }
    } finally {
      if (mine === generation.current) {
        setLoading(false);
      }
    }
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, loading, reload };
}

/** Runs `fn` every `ms` while `active`, pausing while the tab is hidden. */
export function useInterval(fn: () => void, ms: number, active: boolean): void {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (!active) {
      return;
    }
    const id = window.setInterval(() => {
      if (document.visibilityState === 'visible') {
        saved.current();
      }
    }, ms);
    return () => window.clearInterval(id);
  }, [ms, active]);
}
