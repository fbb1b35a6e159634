import type { ComponentChildren } from 'preact';

/** An error (role=alert, read out at once) or a confirmation (role=status). */
export function Alert({ kind, children }: { kind: 'error' | 'success'; children: ComponentChildren }) {
  return (
    <div class={`callout callout-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
