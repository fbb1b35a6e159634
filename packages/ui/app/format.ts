/** Dates as the reader's locale shows them; ISO in the tooltip for exactness. */
export const formatTime = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }) : '—';

export const formatPercent = (rate: number | null): string =>
  rate === null ? 'no deliveries yet' : `${(rate * 100).toFixed(rate === 1 || rate === 0 ? 0 : 1)} %`;

/** `<input type="datetime-local">` value (local time) to an ISO instant, or undefined when empty. */
export const localInputToIso = (value: string): string | undefined =>
  value ? new Date(value).toISOString() : undefined;

/** An ISO instant to a `datetime-local` value in local time. */
export function isoToLocalInput(iso: string | null | undefined): string {
  if (!iso) {
    return '';
  }
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export const prettyJson = (value: unknown): string => JSON.stringify(value, null, 2);
