import { useState } from 'preact/hooks';

/**
 * The signing secret, shown this once (after create or rotate), with a copy button. The server never
 * returns it again, so the box says so.
 */
export function SecretReveal({ secret, onDismiss }: { secret: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('copied');
    } catch {
      setCopied('failed'); // no clipboard permission: the value is selectable in the box
    }
  };
  return (
    <section class="callout callout-secret" aria-labelledby="secret-title" data-testid="secret-reveal">
      <h2 id="secret-title">Signing secret</h2>
      <p>
        Copy it now and store it with your receiver: it will not be shown again (rotate to get a new one).
      </p>
      <div class="secret-row">
        <label for="secret-value" class="visually-hidden">
          Signing secret
        </label>
        <input
          id="secret-value"
          class="mono"
          readOnly
          value={secret}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" onClick={copy}>
          Copy secret
        </button>
      </div>
      <p role="status" class="muted">
        {copied === 'copied'
          ? 'Copied to the clipboard.'
          : copied === 'failed'
            ? 'Copy failed: select the text.'
            : ''}
      </p>
      <button type="button" class="secondary" onClick={onDismiss}>
        I stored it
      </button>
    </section>
  );
}
