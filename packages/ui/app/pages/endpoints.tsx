import type { Webhook, WebhookStats } from '@hookwire/client';
import { useState } from 'preact/hooks';
import { Alert } from '../components/alert.js';
import { EnabledBadge } from '../components/status-badge.js';
import { useDashboard } from '../context.js';
import { formatPercent } from '../format.js';
import { href } from '../router.js';
import { useAsync } from '../use-async.js';

const PAGE = 50;

/** Settings → Webhooks: every endpoint with its state and its success rate over the last 24 h. */
export function EndpointsPage() {
  const { api } = useDashboard();
  const [pages, setPages] = useState<string[]>([]);
  const cursor = pages[pages.length - 1];
  const list = useAsync(async () => {
    const page = await api.webhooks.list({ limit: PAGE, ...(cursor ? { cursor } : {}) }).firstPage();
    // Health of each endpoint on the page, in parallel (one small query each).
    const stats = await Promise.all(page.data.map((w) => api.webhooks.stats(w.id, { hours: 24 })));
    return { ...page, stats: new Map(stats.map((s) => [s.webhookId, s])) };
  }, [api, cursor]);

  return (
    <>
      <div class="page-head">
        <h1>Endpoints</h1>
        <a class="button" href={href.newEndpoint()}>
          Add endpoint
        </a>
      </div>
      {list.error ? <Alert kind="error">{list.error}</Alert> : null}
      {list.data && list.data.data.length === 0 && !cursor ? (
        <p class="empty">No endpoints yet. Add one to start receiving webhooks.</p>
      ) : null}
      <ul class="cards" aria-busy={list.loading}>
        {list.data?.data.map((w) => (
          <EndpointCard key={w.id} webhook={w} stats={list.data?.stats.get(w.id)} />
        ))}
      </ul>
      <div class="pager">
        {pages.length > 0 ? (
          <button type="button" class="secondary" onClick={() => setPages(pages.slice(0, -1))}>
            Previous page
          </button>
        ) : null}
        {list.data?.nextCursor ? (
          <button
            type="button"
            class="secondary"
            onClick={() => setPages([...pages, list.data?.nextCursor ?? ''])}
          >
            Next page
          </button>
        ) : null}
      </div>
    </>
  );
}

function EndpointCard({ webhook, stats }: { webhook: Webhook; stats: WebhookStats | undefined }) {
  const rate = stats?.successRate ?? null;
  const health = rate === null ? 'unknown' : rate >= 0.95 ? 'good' : rate >= 0.5 ? 'degraded' : 'bad';
  return (
    <li class="card" data-testid="endpoint-card">
      <a class="card-title mono" href={href.endpoint(webhook.id)}>
        {webhook.url}
      </a>
      {webhook.description ? <p class="muted">{webhook.description}</p> : null}
      <div class="card-meta">
        <EnabledBadge enabled={webhook.enabled} reason={webhook.disabledReason} />
        <span class={`health health-${health}`}>Success (24 h): {formatPercent(rate)}</span>
        <span class="muted">
          {webhook.events.length === 0 ? 'All events' : `${webhook.events.length} event types`}
        </span>
      </div>
    </li>
  );
}
