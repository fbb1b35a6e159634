import { describe, expect, it } from 'vitest';
import { startCheckpoints } from '../../src/runtime/start-checkpoint-thread.js';

// The thread itself is exercised end to end by the built server (dispatch-thread.e2e.test.ts: the database
// file grows while it runs, which only a checkpoint does). This pins down the fallback.
describe('startCheckpoints', () => {
  it('falls back to checkpoints on the calling thread, with a warning, when the thread cannot start', async () => {
    let here = 0;
    const warnings: string[] = [];
    const checkpoints = startCheckpoints({
      filename: '/nonexistent/hookwire.db',
      intervalMs: 10,
      checkpointHere: () => {
        here++;
      },
      warn: (message) => warnings.push(message),
      entry: new URL('./no-such-checkpoint-thread.js', import.meta.url),
    });
    await expect.poll(() => here, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    expect(checkpoints.onOwnThread).toBe(false);
    expect(warnings).toEqual(['the checkpoint thread stopped; checkpointing on the dispatch thread instead']);
    await checkpoints.stop();
    const after = here;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(here).toBe(after);
  });

  it('keeps going when a fallback checkpoint throws', async () => {
    let calls = 0;
    const warnings: string[] = [];
    const checkpoints = startCheckpoints({
      filename: '/nonexistent/hookwire.db',
      intervalMs: 10,
      checkpointHere: () => {
        calls++;
        throw new Error('disk I/O error');
      },
      warn: (message) => warnings.push(message),
      entry: new URL('./no-such-checkpoint-thread.js', import.meta.url),
    });
    await expect.poll(() => calls, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    await checkpoints.stop();
    expect(warnings.filter((w) => w.startsWith('WAL checkpoint failed')).length).toBeGreaterThanOrEqual(3);
  });
});
