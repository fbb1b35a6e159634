import type { Envelope, EventType, SignatureInput, Webhook } from '@hookwire/client';
import { useState } from 'preact/hooks';
import { errorMessage } from '../api.js';
import { Alert } from '../components/alert.js';
import { EventPicker } from '../components/event-picker.js';
import { useDashboard } from '../context.js';
import { href, navigate } from '../router.js';
import { useAsync } from '../use-async.js';

/** The server's INVALID_EVENTS rule: `<resource>.<action>`, lower case, dot separated (`click` is not one). */
export const EVENT_NAME = /^[a-z0-9_]+(\.[a-z0-9_]+)+$/;

const ENVELOPES: { value: Envelope; label: string }[] = [
  { value: 'v2', label: 'v2 (metadata + data)' },
  { value: 'v1', label: 'v1 (legacy: apiVersion, type, data)' },
  { value: 'standard', label: 'standard ({ id, type, timestamp, data })' },
  { value: 'object', label: 'object ({ id, object: "event", type, data })' },
  { value: 'flat', label: 'flat (event fields at the top level)' },
];

type Scheme = SignatureInput['scheme'];

interface FormState {
  url: string;
  description: string;
  allEvents: boolean;
  events: string[];
  custom: string;
  envelope: Envelope;
  scheme: Scheme;
  header: string;
  prefix: string;
}

const initial = (w?: Webhook): FormState => ({
  url: w?.url ?? '',
  description: w?.description ?? '',
  allEvents: w ? w.events.length === 0 : false,
  events: w?.events ?? [],
  custom: '',
  envelope: w?.envelope ?? 'v2',
  scheme: w?.signature.scheme ?? 'standard',
  header: w && 'header' in w.signature ? String(w.signature.header) : '',
  prefix: w && 'prefix' in w.signature ? String(w.signature.prefix ?? '') : '',
});

function signatureOf(f: FormState): SignatureInput {
  if (f.scheme === 'hmac') {
    return { scheme: 'hmac', header: f.header.trim() || 'x-webhook-signature', prefix: f.prefix };
  }
  if (f.scheme === 'timestamped') {
    return { scheme: 'timestamped', header: f.header.trim() || 'x-webhook-signature' };
  }
  return { scheme: 'standard' };
}

/** New Webhook / Edit: URL, events from the catalog, body format and signature scheme. */
export function EndpointFormPage({ id }: { id?: string }) {
  const { api, setFlashSecret, onError } = useDashboard();
  const loaded = useAsync(async () => {
    const types: EventType[] = [];
    for await (const t of api.eventTypes.list({ limit: 250 })) {
      types.push(t);
    }
    return { types, webhook: id ? await api.webhooks.get(id) : undefined };
  }, [api, id]);
  if (loaded.error) {
    return <Alert kind="error">{loaded.error}</Alert>;
  }
  if (!loaded.data) {
    return <p aria-busy="true">Loading…</p>;
  }
  return (
    <Form
      id={id}
      webhook={loaded.data.webhook}
      catalog={loaded.data.types.filter((t) => !t.deprecated)}
      submit={async (f) => {
        const customNames = f.custom
          .split(/[\s,]+/)
          .map((s) => s.trim())
          .filter(Boolean);
        const events = f.allEvents ? [] : [...new Set([...f.events, ...customNames])];
        const body = {
          url: f.url.trim(),
          description: f.description,
          events,
          envelope: f.envelope,
          signature: signatureOf(f),
        };
        try {
          if (id) {
            await api.webhooks.update(id, body);
            navigate(href.endpoint(id));
          } else {
            const created = await api.webhooks.create(body);
            setFlashSecret({ webhookId: created.id, secret: created.secret });
            navigate(href.endpoint(created.id));
          }
          return null;
        } catch (err) {
          onError(err);
          return errorMessage(err);
        }
      }}
    />
  );
}

function Form(props: {
  id: string | undefined;
  webhook: Webhook | undefined;
  catalog: EventType[];
  submit: (f: FormState) => Promise<string | null>;
}) {
  const [f, setF] = useState(() => initial(props.webhook));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) =>
    setF((s) => ({ ...s, [key]: value }));

  const badNames = f.custom
    .split(/[\s,]+/)
    .filter(Boolean)
    .filter((n) => !EVENT_NAME.test(n));
  const noEvents = !f.allEvents && f.events.length === 0 && f.custom.trim() === '';
  const insecure = /^http:\/\//i.test(f.url.trim());

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (badNames.length > 0 || noEvents) {
      return; // the inline messages say what to fix
    }
    setBusy(true);
    setError(await props.submit(f));
    setBusy(false);
  };

  return (
    <form class="stack" onSubmit={onSubmit} noValidate>
      <h1>{props.id ? 'Edit endpoint' : 'New endpoint'}</h1>
      <div class="field">
        <label for="ep-url">Endpoint URL</label>
        <input
          id="ep-url"
          type="url"
          required
          inputMode="url"
          placeholder="https://example.com/webhooks"
          value={f.url}
          onInput={(e) => set('url', e.currentTarget.value)}
          aria-describedby="ep-url-help"
        />
        <p id="ep-url-help" class="muted">
          {insecure
            ? 'http:// is only accepted while the server runs in dev mode; use https:// in production.'
            : 'Must be https://, and reachable from the internet (private and internal addresses are refused).'}
        </p>
      </div>
      <div class="field">
        <label for="ep-description">Description</label>
        <input
          id="ep-description"
          value={f.description}
          onInput={(e) => set('description', e.currentTarget.value)}
        />
      </div>
      <fieldset class="field">
        <legend>Events</legend>
        <label class="check">
          <input
            type="checkbox"
            checked={f.allEvents}
            onChange={(e) => set('allEvents', e.currentTarget.checked)}
          />
          Send every event type (also ones added later)
        </label>
        {f.allEvents ? null : (
          <>
            <EventPicker catalog={props.catalog} selected={f.events} onChange={(v) => set('events', v)} />
            <div class="field">
              <label for="ep-custom-events">Other event names</label>
              <input
                id="ep-custom-events"
                class="mono"
                placeholder="link.click, campaign.click.recorded"
                value={f.custom}
                onInput={(e) => set('custom', e.currentTarget.value)}
                aria-invalid={badNames.length > 0}
                aria-describedby="ep-custom-help"
              />
              <p id="ep-custom-help" class={badNames.length > 0 ? 'field-error' : 'muted'}>
                {badNames.length > 0
                  ? `Not an event name: ${badNames.join(', ')}. Use <resource>.<action>, lower case (e.g. link.click).`
                  : 'Comma separated; each must be in the catalog.'}
              </p>
            </div>
            {noEvents ? (
              <p class="field-error">Pick at least one event type, or send every event type.</p>
            ) : null}
          </>
        )}
      </fieldset>
      <div class="field">
        <label for="ep-envelope">Body format</label>
        <select
          id="ep-envelope"
          value={f.envelope}
          onChange={(e) => set('envelope', e.currentTarget.value as Envelope)}
        >
          {ENVELOPES.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="ep-scheme">Signature scheme</label>
        <select
          id="ep-scheme"
          value={f.scheme}
          onChange={(e) => set('scheme', e.currentTarget.value as Scheme)}
        >
          <option value="standard">
            Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature)
          </option>
          <option value="timestamped">Timestamped (t=…,v1=… in one header, Stripe style)</option>
          <option value="hmac">HMAC of the body in one header (legacy, no replay protection)</option>
        </select>
      </div>
      {f.scheme === 'standard' ? null : (
        <div class="field">
          <label for="ep-header">Signature header</label>
          <input
            id="ep-header"
            class="mono"
            placeholder="x-webhook-signature"
            value={f.header}
            onInput={(e) => set('header', e.currentTarget.value)}
          />
        </div>
      )}
      {f.scheme === 'hmac' ? (
        <div class="field">
          <label for="ep-prefix">Signature prefix</label>
          <input
            id="ep-prefix"
            class="mono"
            placeholder="sha256="
            value={f.prefix}
            onInput={(e) => set('prefix', e.currentTarget.value)}
          />
        </div>
      ) : null}
      {error ? <Alert kind="error">{error}</Alert> : null}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {props.id ? 'Save changes' : 'Create endpoint'}
        </button>
        <a class="button secondary" href={props.id ? href.endpoint(props.id) : href.endpoints()}>
          Cancel
        </a>
      </div>
    </form>
  );
}
