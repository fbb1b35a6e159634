import type { Logger } from 'pino';
import { type ServerConfig, toDispatcherPlans } from '../config.js';
import { Dispatcher, type DispatcherOptions } from '../dispatcher/dispatcher.js';
import type { Store } from '../store/store.js';

/** The dispatcher a server configuration asks for; the same on the API thread and on the dispatch thread. */
export function createDispatcher(
  store: Store,
  config: ServerConfig,
  logger: Logger,
  onAttempt: DispatcherOptions['onAttempt'],
): Dispatcher {
  return new Dispatcher({
    store,
    dev: config.dev,
    plans: toDispatcherPlans(config.plans),
    defaultPlan: config.defaultPlan,
    timeoutMs: config.requestTimeoutMs,
    maxConcurrency: config.maxConcurrency,
    endpointConcurrency: config.endpointConcurrency,
    batchSize: config.claimBatchSize,
    idleIntervalMs: config.pollIntervalMs,
    leaseMs: config.leaseMs,
    logger: logger.child({ component: 'dispatcher' }),
    onAttempt,
  });
}
