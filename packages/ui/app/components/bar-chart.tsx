import type { WebhookStats } from '@hookwire/client';

const OUTCOMES = [
  { key: 'succeeded', label: 'Succeeded', className: 'bar-succeeded' },
  { key: 'failed', label: 'Failed', className: 'bar-failed' },
  { key: 'pending', label: 'Pending', className: 'bar-pending' },
  { key: 'cancelled', label: 'Cancelled', className: 'bar-cancelled' },
] as const;

const WIDTH = 480;
const HEIGHT = 120;
const AXIS = 16;

/**
 * Deliveries per hour, stacked by outcome, as a plain SVG (a few dozen rects: no chart library needed).
 * It scales to its container through the viewBox; a table with the same numbers follows for screen readers.
 */
export function DeliveryChart({ stats }: { stats: WebhookStats }) {
  const totals = stats.buckets.map((b) => b.succeeded + b.failed + b.pending + b.cancelled);
  const max = Math.max(1, ...totals);
  const slot = WIDTH / stats.buckets.length;
  const barWidth = Math.max(2, slot - 3);
  const plot = HEIGHT - AXIS;
  const hourLabel = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit' });
  return (
    <figure class="chart" data-testid="delivery-chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Deliveries per hour for the last ${stats.buckets.length} hours: ${stats.totals.succeeded} succeeded, ${stats.totals.failed} failed, ${stats.totals.pending} pending, ${stats.totals.cancelled} cancelled`}
      >
        <line x1="0" y1={plot} x2={WIDTH} y2={plot} class="chart-axis" />
        {stats.buckets.map((bucket, i) => {
          let y = plot;
          return (
            <g key={bucket.start}>
              <title>{`${hourLabel(bucket.start)}: ${totals[i]} deliveries`}</title>
              {OUTCOMES.map((o) => {
                const h = (bucket[o.key] / max) * (plot - 4);
                if (h === 0) {
                  return null;
                }
                y -= h;
                return (
                  <rect key={o.key} class={o.className} x={i * slot + 1} y={y} width={barWidth} height={h} />
                );
              })}
              {i % 6 === 0 ? (
                <text x={i * slot + 1} y={HEIGHT - 3} class="chart-label">
                  {hourLabel(bucket.start)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption class="chart-legend">
        {OUTCOMES.map((o) => (
          <span key={o.key} class="legend-item">
            <span class={`legend-swatch ${o.className}`} aria-hidden="true" /> {o.label} {stats.totals[o.key]}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
