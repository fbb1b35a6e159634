/**
 * A process that does nothing but wake every millisecond (forked by run.ts). How late it wakes is the
 * machine's scheduling delay at that moment: the floor under any latency the server can show, since the
 * server's threads and the benchmark's own client wait for a core the same way.
 *
 * Messages: 'start' (clear and measure), 'read' (answers p50/p99/max in ms), 'stop' (no timer, no load).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const histogram = monitorEventLoopDelay({ resolution: 1 });
const send = (message: unknown) => process.send?.(message);

process.on('message', (message) => {
  if (message === 'start') {
    histogram.reset();
    histogram.enable();
    send({ started: true });
  } else if (message === 'read') {
    send({
      p50: histogram.percentile(50) / 1e6,
      p99: histogram.percentile(99) / 1e6,
      max: histogram.max / 1e6,
      n: histogram.count,
    });
  } else if (message === 'stop') {
    histogram.disable();
    send({ stopped: true });
  }
});
send({ ready: true });
