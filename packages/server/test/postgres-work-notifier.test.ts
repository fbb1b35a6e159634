import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkNotifier } from '../src/store/postgres-work-notifier.js';

/** A notifier whose sends are counted (and can be made to fail); the window is driven by fake timers. */
function rig(windowMs = 10) {
  const sent: number[] = [];
  const errors: unknown[] = [];
  let fail = false;
  const notifier = new WorkNotifier(
    async () => {
      if (fail) {
        throw new Error('connection lost');
      }
      sent.push(Date.now());
    },
    windowMs,
    (err) => errors.push(err),
  );
  return {
    notifier,
    sent,
    errors,
    failSends: (on: boolean) => {
      fail = on;
    },
  };
}

describe('WorkNotifier (coalesced NOTIFY after COMMIT)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the first wake of a burst at once and folds the rest into one at the end of the window', async () => {
    const { notifier, sent } = rig(10);
    notifier.request();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(1);
    for (let i = 0; i < 50; i++) {
      notifier.request();
    }
    await vi.advanceTimersByTimeAsync(9);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(2);
    // Nothing asked since: the window that the trailing send opened closes without a send.
    await vi.advanceTimersByTimeAsync(100);
    expect(sent).toHaveLength(2);
    // A quiet notifier sends at once again.
    notifier.request();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(3);
  });

  it('lets the first COMMIT of a window carry the NOTIFY; later commits in it are sent when it closes', async () => {
    const { notifier, sent } = rig(10);
    expect(notifier.claimLeadingSend()).toBe(true);
    expect(notifier.claimLeadingSend()).toBe(false);
    notifier.request(); // the second commit, after claimLeadingSend said no
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(0); // the first went out with its COMMIT, not through `send`
    await vi.advanceTimersByTimeAsync(10);
    expect(sent).toHaveLength(1);
    expect(notifier.claimLeadingSend()).toBe(false); // the trailing send opened a window of its own
    await vi.advanceTimersByTimeAsync(10);
    expect(notifier.claimLeadingSend()).toBe(true);
  });

  it('flush sends a pending wake at once (shutdown) and nothing when none is pending', async () => {
    const { notifier, sent } = rig(60_000);
    notifier.request();
    notifier.request();
    await notifier.flush();
    expect(sent).toHaveLength(2);
    await notifier.flush();
    expect(sent).toHaveLength(2);
  });

  it('reports a failed send and keeps working', async () => {
    const { notifier, sent, errors, failSends } = rig(10);
    failSends(true);
    notifier.request();
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toHaveLength(1);
    failSends(false);
    notifier.request();
    await vi.advanceTimersByTimeAsync(10);
    expect(sent).toHaveLength(1);
  });
});
