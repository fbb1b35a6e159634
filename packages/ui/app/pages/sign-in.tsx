import { useState } from 'preact/hooks';
import { createApi, errorMessage } from '../api.js';
import { Alert } from '../components/alert.js';
import type { Credential } from '../session.js';

/** Sign-in with a tenant API key. A portal link signs in by itself (its token is in the URL). */
export function SignIn({ notice, onSignIn }: { notice: string | null; onSignIn: (c: Credential) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const token = key.trim();
    try {
      // One cheap read proves the key works before the dashboard opens.
      await createApi(token).webhooks.list({ limit: 1 }).firstPage();
      onSignIn({ token, kind: token.startsWith('hwp_') ? 'portal' : 'api-key' });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="sign-in">
      <h1>Webhooks</h1>
      {notice ? <Alert kind="error">{notice}</Alert> : null}
      <form onSubmit={submit} class="stack">
        <div class="field">
          <label for="api-key">API key</label>
          <input
            id="api-key"
            type="password"
            autoComplete="off"
            spellcheck={false}
            required
            placeholder="hw_…"
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            aria-describedby="api-key-help"
          />
          <p id="api-key-help" class="muted">
            A key of your account. Got a dashboard link instead? Open it: it signs you in.
          </p>
        </div>
        {error ? <Alert kind="error">{error}</Alert> : null}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
