import type { HookwireClient } from '@hookwire/client';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export interface DashboardContext {
  api: HookwireClient;
  /** Called with any failed call: a 401 ends the session (expired portal link, revoked key). */
  onError: (err: unknown) => void;
  /** A secret to show once on the endpoint page after a create or rotate, then forget. */
  flashSecret: { webhookId: string; secret: string } | null;
  setFlashSecret: (value: { webhookId: string; secret: string } | null) => void;
}

export const Dashboard = createContext<DashboardContext | null>(null);

export function useDashboard(): DashboardContext {
  const ctx = useContext(Dashboard);
  if (!ctx) {
    throw new Error('useDashboard outside <Dashboard.Provider>');
  }
  return ctx;
}
