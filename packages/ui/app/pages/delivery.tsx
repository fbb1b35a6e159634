import type { Attempt } from '@hookwire/client';
import { useState } from 'preact/hooks';
import { errorMessage } from '../api.js';
import { Alert } from '../components/alert.js';
import { StatusBadge } from '../components/status-badge.js';
import { useDashboard } from '../context.js';
import { formatTime, prettyJson } from '../format.js';
import { href } from '../router.js';
import { useAsync, useInterval } from '../use-async.js';

/** One delivery: the payload as sent, every attempt with its headers and answer, and Redeliver. */
export function DeliveryPage({ id }: { id: string }) {
  const { api, onError } = useDashboard();
  const delivery = useAsync(() => api.deliveries.get(id), [api, id]);
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const d = delivery.data;
  // While an attempt is due or running, follow it.
  useInterval(() => void delivery.reload(), 1500, d?.status === 'pending' || d?.status === 'in_flight');

  if (delivery.error && !d) {
    return <Alert kind="error">{delivery.error}</Alert>;
  }
  if (!d) {
    return <p aria-busy="true">Loading…</p>;
  }
  const redeliver = async () => {
    try {
      await api.deliveries.redeliver(id);
      setMessage({ kind: 'success', text: 'Queued for delivery now.' });
      await delivery.reload();
    } catch (err) {
      onError(err);
      setMessage({ kind: 'error', text: errorMessage(err) });
    }
  };
  return (
    <>
      <div class="page-head">
        <h1>
          Delivery <span class="mono">{d.id}</span>
        </h1>
        <button type="button" onClick={redeliver}>
          Redeliver
        </button>
      </div>
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={d.status} />
        </dd>
        <dt>Event</dt>
        <dd class="mono">{d.eventType}</dd>
        <dt>Endpoint</dt>
        <dd>
          <a class="mono" href={href.endpoint(d.webhookId)}>
            {d.webhookId}
          </a>
        </dd>
        <dt>Message</dt>
        <dd class="mono">{d.messageId}</dd>
        <dt>Attempts</dt>
        <dd>{d.attemptCount}</dd>
        <dt>Created</dt>
        <dd>{formatTime(d.createdAt)}</dd>
        <dt>Next retry</dt>
        <dd data-testid="next-retry">{d.nextAttemptAt ? formatTime(d.nextAttemptAt) : 'none scheduled'}</dd>
      </dl>
      <section aria-labelledby="payload-title">
        <h2 id="payload-title">Payload as sent</h2>
        <pre class="code">{prettyJson(d.payload)}</pre>
      </section>
      <section aria-labelledby="attempts-title">
        <h2 id="attempts-title">Attempts</h2>
        {d.attempts.length === 0 ? <p class="empty">No attempt yet.</p> : null}
        <ol class="attempts">
          {d.attempts.map((a, i) => (
            <AttemptItem key={a.id} attempt={a} n={i + 1} />
          ))}
        </ol>
      </section>
    </>
  );
}

function AttemptItem({ attempt: a, n }: { attempt: Attempt; n: number }) {
  return (
    <li class="attempt" data-testid="attempt">
      <h3>
        Attempt {n} · {formatTime(a.startedAt)}
      </h3>
      <dl class="facts">
        <dt>Trigger</dt>
        <dd>{a.trigger}</dd>
        <dt>HTTP status</dt>
        <dd>{a.statusCode ?? '—'}</dd>
        <dt>Duration</dt>
        <dd>{a.durationMs} ms</dd>
        <dt>Error kind</dt>
        <dd>{a.errorKind}</dd>
        {a.error ? (
          <>
            <dt>Error</dt>
            <dd>{a.error}</dd>
          </>
        ) : null}
        <dt>Next retry</dt>
        <dd>{a.nextRetryAt ? formatTime(a.nextRetryAt) : 'none'}</dd>
        <dt>URL</dt>
        <dd class="mono break">{a.url}</dd>
      </dl>
      <details>
        <summary>Request headers</summary>
        <table class="headers">
          <tbody>
            {Object.entries(a.requestHeaders).map(([name, value]) => (
              <tr key={name}>
                <th scope="row" class="mono">
                  {name}
                </th>
                <td class="mono break">{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      <h4>Response preview</h4>
      <pre class="preview">{a.responsePreview || '(empty)'}</pre>
    </li>
  );
}
