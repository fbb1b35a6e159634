import type { TestResult, Webhook } from '@hookwire/client';
import { useState } from 'preact/hooks';
import { errorMessage } from '../api.js';
import { Alert } from '../components/alert.js';
import { DeliveryChart } from '../components/bar-chart.js';
import { SecretReveal } from '../components/secret-reveal.js';
import { EnabledBadge } from '../components/status-badge.js';
import { useDashboard } from '../context.js';
import { formatPercent, formatTime, isoToLocalInput, localInputToIso } from '../format.js';
import { href, navigate } from '../router.js';
import { useAsync } from '../use-async.js';

const TEST_EVENT_TYPE = 'hookwire.test';

/** One endpoint: health chart, secret, test send, replay, rotate, edit, disable, delete. */
export function EndpointPage({ id }: { id: string }) {
  const { api, flashSecret, setFlashSecret } = useDashboard();
  const endpoint = useAsync(async () => {
    const [webhook, stats] = await Promise.all([api.webhooks.get(id), api.webhooks.stats(id, { hours: 24 })]);
    return { webhook, stats };
  }, [api, id]);
  if (endpoint.error) {
    return <Alert kind="error">{endpoint.error}</Alert>;
  }
  if (!endpoint.data) {
    return <p aria-busy="true">Loading…</p>;
  }
  const { webhook, stats } = endpoint.data;
  return (
    <>
      <div class="page-head">
        <h1 class="mono break">{webhook.url}</h1>
      </div>
      <div class="card-meta">
        <EnabledBadge enabled={webhook.enabled} reason={webhook.disabledReason} />
        <span class="muted">{webhook.description}</span>
      </div>
      {flashSecret && flashSecret.webhookId === id ? (
        <SecretReveal secret={flashSecret.secret} onDismiss={() => setFlashSecret(null)} />
      ) : null}
      <dl class="facts">
        <dt>Events</dt>
        <dd class="mono">{webhook.events.length === 0 ? 'every event type' : webhook.events.join(', ')}</dd>
        <dt>Body format</dt>
        <dd>{webhook.envelope}</dd>
        <dt>Signature</dt>
        <dd>
          {webhook.signature.scheme}
          {'header' in webhook.signature && webhook.signature.header ? ` (${webhook.signature.header})` : ''}
        </dd>
        <dt>Previous secret signs until</dt>
        <dd>
          {webhook.previousSecretExpiresAt
            ? formatTime(webhook.previousSecretExpiresAt)
            : 'no rotation pending'}
        </dd>
      </dl>
      <section aria-labelledby="chart-title">
        <h2 id="chart-title">Last 24 hours</h2>
        <p>
          Success rate: <strong data-testid="success-rate">{formatPercent(stats.successRate)}</strong>
        </p>
        <DeliveryChart stats={stats} />
        <a href={href.deliveries({ webhookId: id })}>See this endpoint's deliveries</a>
      </section>
      <TestSend webhook={webhook} onSent={endpoint.reload} />
      <Replay webhook={webhook} />
      <Manage webhook={webhook} reload={endpoint.reload} />
    </>
  );
}

function TestSend({ webhook, onSent }: { webhook: Webhook; onSent: () => void }) {
  const { api, onError } = useDashboard();
  const [type, setType] = useState(TEST_EVENT_TYPE);
  const [result, setResult] = useState<TestResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(
        await api.webhooks.sendTest(webhook.id, type === TEST_EVENT_TYPE ? undefined : { type, data: {} }),
      );
      onSent();
    } catch (err) {
      onError(err);
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="test-title" class="panel">
      <h2 id="test-title">Send test event</h2>
      <form class="inline-form" onSubmit={send}>
        <div class="field">
          <label for="test-type">Event type</label>
          <select id="test-type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
            <option value={TEST_EVENT_TYPE}>{TEST_EVENT_TYPE} (sample)</option>
            {webhook.events.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : 'Send test event'}
        </button>
      </form>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {result ? (
        <div class="callout" role="status" data-testid="test-result">
          <p>
            <strong>{result.succeeded ? 'Delivered' : 'Failed'}</strong>
            {` · HTTP ${result.attempt.statusCode ?? '—'} · ${result.attempt.durationMs} ms`}
            {result.attempt.error ? ` · ${result.attempt.error}` : ''}
          </p>
          <pre class="preview">{result.attempt.responsePreview || '(empty response)'}</pre>
          <a href={href.delivery(result.deliveryId)}>Open this delivery</a>
        </div>
      ) : null}
    </section>
  );
}

function Replay({ webhook }: { webhook: Webhook }) {
  const { api, onError } = useDashboard();
  const [since, setSince] = useState(() => isoToLocalInput(new Date(Date.now() - 86_400_000).toISOString()));
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const replay = async (e: Event) => {
    e.preventDefault();
    const iso = localInputToIso(since);
    if (!iso) {
      return;
    }
    try {
      const { count } = await api.webhooks.replay(webhook.id, { since: iso });
      setMessage({
        kind: 'success',
        text: `Re-queued ${count} failed ${count === 1 ? 'delivery' : 'deliveries'} since ${formatTime(iso)}.`,
      });
    } catch (err) {
      onError(err);
      setMessage({ kind: 'error', text: errorMessage(err) });
    }
  };
  return (
    <section aria-labelledby="replay-title" class="panel">
      <h2 id="replay-title">Replay failed deliveries</h2>
      <form class="inline-form" onSubmit={replay}>
        <div class="field">
          <label for="replay-since">Failed since</label>
          <input
            id="replay-since"
            type="datetime-local"
            required
            value={since}
            onInput={(e) => setSince(e.currentTarget.value)}
          />
        </div>
        <button type="submit">Replay failed</button>
      </form>
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
    </section>
  );
}

function Manage({ webhook, reload }: { webhook: Webhook; reload: () => Promise<void> }) {
  const { api, onError, setFlashSecret } = useDashboard();
  const [confirming, setConfirming] = useState<'rotate' | 'delete' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (fn: () => Promise<void>) => {
    setError(null);
    try {
      await fn();
    } catch (err) {
      onError(err);
      setError(errorMessage(err));
    }
  };
  return (
    <section aria-labelledby="manage-title" class="panel">
      <h2 id="manage-title">Manage</h2>
      <div class="actions">
        <a class="button secondary" href={href.editEndpoint(webhook.id)}>
          Edit
        </a>
        <button
          type="button"
          class="secondary"
          onClick={() =>
            run(async () => {
              await api.webhooks.update(webhook.id, { enabled: !webhook.enabled });
              await reload();
            })
          }
        >
          {webhook.enabled ? 'Disable' : 'Enable'}
        </button>
        <button type="button" class="secondary" onClick={() => setConfirming('rotate')}>
          Rotate secret
        </button>
        <button type="button" class="danger" onClick={() => setConfirming('delete')}>
          Delete
        </button>
      </div>
      {confirming === 'rotate' ? (
        <fieldset class="callout">
          <legend class="visually-hidden">Confirm rotation</legend>
          <p>
            A new secret signs from now on; the current one keeps signing for 24 hours so receivers can
            switch.
          </p>
          <div class="actions">
            <button
              type="button"
              onClick={() =>
                run(async () => {
                  const r = await api.webhooks.rotateSecret(webhook.id, {});
                  setFlashSecret({ webhookId: webhook.id, secret: r.secret });
                  setConfirming(null);
                  await reload();
                })
              }
            >
              Confirm rotation
            </button>
            <button type="button" class="secondary" onClick={() => setConfirming(null)}>
              Keep the current secret
            </button>
          </div>
        </fieldset>
      ) : null}
      {confirming === 'delete' ? (
        <fieldset class="callout callout-error">
          <legend class="visually-hidden">Confirm deletion</legend>
          <p>Deleting stops every pending delivery to this endpoint. The delivery log is kept.</p>
          <div class="actions">
            <button
              type="button"
              class="danger"
              onClick={() =>
                run(async () => {
                  await api.webhooks.delete(webhook.id);
                  navigate(href.endpoints());
                })
              }
            >
              Confirm delete
            </button>
            <button type="button" class="secondary" onClick={() => setConfirming(null)}>
              Keep it
            </button>
          </div>
        </fieldset>
      ) : null}
      {error ? <Alert kind="error">{error}</Alert> : null}
    </section>
  );
}
