import type { DeliveryStatus } from '@hookwire/client';

const LABELS: Record<DeliveryStatus, string> = {
  pending: 'Pending',
  in_flight: 'In flight',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export function StatusBadge({ status }: { status: DeliveryStatus }) {
  return <span class={`badge badge-${status}`}>{LABELS[status]}</span>;
}

export function EnabledBadge({ enabled, reason }: { enabled: boolean; reason: string | null }) {
  return enabled ? (
    <span class="badge badge-succeeded">Enabled</span>
  ) : (
    <span class="badge badge-cancelled">Disabled{reason ? ` (${reason})` : ''}</span>
  );
}
