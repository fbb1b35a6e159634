import type { DeliveryStatus, EventType, Webhook } from '@hookwire/client';
import { useState } from 'preact/hooks';
import { Alert } from '../components/alert.js';
import { StatusBadge } from '../components/status-badge.js';
import { useDashboard } from '../context.js';
import { formatTime, isoToLocalInput, localInputToIso } from '../format.js';
import { href, navigate } from '../router.js';
import { useAsync, useInterval } from '../use-async.js';

const PAGE = 25;
const LIVE_MS = 2000;
const STATUSES: DeliveryStatus[] = ['pending', 'in_flight', 'succeeded', 'failed', 'cancelled'];

/** Recent Deliveries: newest first, filtered through the URL, paged by cursor, refreshed live. */
export function DeliveriesPage({ query }: { query: URLSearchParams }) {
  const { api } = useDashboard();
  const filters = {
    webhookId: query.get('webhookId') ?? undefined,
    eventType: query.get('eventType') ?? undefined,
    status: (query.get('status') as DeliveryStatus | null) ?? undefined,
    since: query.get('since') ?? undefined,
    until: query.get('until') ?? undefined,
  };
  const key = query.toString();
  // Cursors of the pages before the current one; empty = the first (newest) page.
  const [cursors, setCursors] = useState<{ key: string; stack: string[] }>({ key, stack: [] });
  const stack = cursors.key === key ? cursors.stack : [];
  const cursor = stack[stack.length - 1];
  const [live, setLive] = useState(true);

  const options = useAsync(async () => {
    const webhooks: Webhook[] = [];
    for await (const w of api.webhooks.list({ limit: 250 })) {
      webhooks.push(w);
    }
    const types: EventType[] = [];
    for await (const t of api.eventTypes.list({ limit: 250 })) {
      types.push(t);
    }
    return { webhooks, types };
  }, [api]);
  const page = useAsync(
    () => api.deliveries.list({ ...filters, limit: PAGE, ...(cursor ? { cursor } : {}) }).firstPage(),
    [api, key, cursor],
  );
  // Only the newest page changes as deliveries arrive; older pages are history.
  useInterval(() => void page.reload(), LIVE_MS, live && !cursor);

  const urlOf = new Map(options.data?.webhooks.map((w) => [w.id, w.url]));
  const apply = (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const value = (name: string) => (form.get(name) as string | null) || undefined;
    navigate(
      href.deliveries({
        webhookId: value('webhookId'),
        eventType: value('eventType'),
        status: value('status'),
        since: localInputToIso(value('since') ?? ''),
        until: localInputToIso(value('until') ?? ''),
      }),
    );
  };

  return (
    <>
      <div class="page-head">
        <h1>Deliveries</h1>
        <label class="check">
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.currentTarget.checked)} />
          Live refresh
        </label>
      </div>
      <form class="filters" onSubmit={apply} key={key} aria-label="Filter deliveries">
        <div class="field">
          <label for="f-endpoint">Endpoint</label>
          <select id="f-endpoint" name="webhookId" value={filters.webhookId ?? ''}>
            <option value="">All endpoints</option>
            {options.data?.webhooks.map((w) => (
              <option key={w.id} value={w.id}>
                {w.url}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-type">Event type</label>
          <select id="f-type" name="eventType" value={filters.eventType ?? ''}>
            <option value="">All event types</option>
            <option value="hookwire.test">hookwire.test</option>
            {options.data?.types.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-status">Status</label>
          <select id="f-status" name="status" value={filters.status ?? ''}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ')}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-since">From</label>
          <input id="f-since" name="since" type="datetime-local" value={isoToLocalInput(filters.since)} />
        </div>
        <div class="field">
          <label for="f-until">To</label>
          <input id="f-until" name="until" type="datetime-local" value={isoToLocalInput(filters.until)} />
        </div>
        <div class="actions">
          <button type="submit">Apply filters</button>
          <a class="button secondary" href={href.deliveries()}>
            Clear
          </a>
        </div>
      </form>
      {page.error ? <Alert kind="error">{page.error}</Alert> : null}
      <div class="table-wrap">
        <table class="log" aria-busy={page.loading}>
          <caption class="visually-hidden">Deliveries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Event</th>
              <th scope="col">Endpoint</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">HTTP</th>
            </tr>
          </thead>
          <tbody>
            {page.data?.data.map((d) => (
              <tr key={d.id} data-testid="delivery-row" data-status={d.status}>
                <td>
                  <a href={href.delivery(d.id)}>{formatTime(d.createdAt)}</a>
                </td>
                <td class="mono">{d.eventType}</td>
                <td class="mono ellipsis">{urlOf.get(d.webhookId) ?? d.webhookId}</td>
                <td>
                  <StatusBadge status={d.status} />
                </td>
                <td data-label="Attempts">{d.attemptCount}</td>
                <td data-label="HTTP">{d.lastStatusCode ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {page.data && page.data.data.length === 0 ? <p class="empty">No deliveries match.</p> : null}
      <div class="pager">
        {stack.length > 0 ? (
          <button
            type="button"
            class="secondary"
            onClick={() => setCursors({ key, stack: stack.slice(0, -1) })}
          >
            Newer
          </button>
        ) : null}
        {page.data?.nextCursor ? (
          <button
            type="button"
            class="secondary"
            onClick={() => setCursors({ key, stack: [...stack, page.data?.nextCursor ?? ''] })}
          >
            Older
          </button>
        ) : null}
      </div>
    </>
  );
}
