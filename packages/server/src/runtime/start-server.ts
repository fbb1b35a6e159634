import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config.js';
import { createSecretBox } from '../crypto/secret-box.js';
import type { Dispatcher } from '../dispatcher/dispatcher.js';
import { buildApp } from '../http/app.js';
import { createMetrics, type ServerMetrics } from '../metrics.js';
import { type RetentionJob, startRetentionJob } from '../retention.js';
import { PostgresStore } from '../store/postgres-store.js';
import { SqliteStore, type SqliteStoreOptions } from '../store/sqlite-store.js';
import { SqliteWriteLock } from '../store/sqlite-write-lock.js';
import type { Store } from '../store/store.js';
import { type AdminKeySource, resolveAdminKey } from './admin-key.js';
import { createDispatcher } from './create-dispatcher.js';
import { buildOpsApp } from './ops-app.js';
import { type DispatchThread, startDispatchThread } from './start-dispatch-thread.js';

/** File name of the SQLite database inside the data dir. */
export const DATABASE_FILE = 'hookwire.db';

export interface StartServerOptions {
  logger: Logger;
  /** Package version reported by `/healthz`. */
  version: string;
}

/** A server started by {@link startServer}. */
export interface RunningServer {
  /** Where it listens, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** The resolved admin key (from the environment, the data dir, or just generated). */
  adminKey: string;
  adminKeySource: AdminKeySource;
  adminKeyPath: string | null;
  store: Store;
  app: FastifyInstance;
  /** The dispatcher running in this thread: roles `worker` and `all` (null when it runs on the dispatch thread). */
  dispatcher: Dispatcher | null;
  metrics: ServerMetrics;
  /**
   * Graceful shutdown, once (later calls return the same promise): readiness turns 503, the listener stops
   * accepting while open requests finish, the dispatcher stops claiming and lets in-flight attempts finish
   * until `config.shutdownTimeoutMs` (then aborts them), leases are released, and the store is closed.
   */
  close(): Promise<void>;
}

/**
 * Opens the store for a configuration: PostgreSQL when a database URL is set (many processes on one
 * database), else the embedded SQLite file in the data dir. The data dir is created either way (admin key).
 */
export async function openStore(
  config: ServerConfig,
  logger?: Logger,
  sqlite: Pick<SqliteStoreOptions, 'writeLock' | 'autoCheckpoint'> = {},
): Promise<Store> {
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const secretBox = config.encryptionKey ? createSecretBox(config.encryptionKey) : null;
  if (config.databaseUrl !== null) {
    return new PostgresStore({
      connectionString: config.databaseUrl,
      schema: config.databaseSchema,
      poolSize: config.databasePoolSize,
      secretBox,
      defaultPlan: config.defaultPlan,
      onBackgroundError: (err) => logger?.warn({ err }, 'PostgreSQL connection lost; reconnecting'),
    });
  }
  return new SqliteStore({
    filename: join(config.dataDir, DATABASE_FILE),
    secretBox,
    durability: config.durability,
    defaultPlan: config.defaultPlan,
    ...sqlite,
  });
}

/**
 * Starts `hookwire serve` in this process: migrates the store, then runs the HTTP API (role `api`), the
 * dispatcher and retention job (role `worker`, which serves only `/healthz`, `/readyz` and `/metrics`), or
 * both (role `all`). Resolves once the port listens and, for `worker`/`all`, the dispatcher claims.
 */
export async function startServer(config: ServerConfig, options: StartServerOptions): Promise<RunningServer> {
  const { logger } = options;
  // SQLite with both roles: the dispatcher gets its own thread and connection (see dispatch-thread.ts);
  // the two connections share a write lock and leave WAL checkpoints to the dispatch thread.
  const threaded = config.dispatchThread && config.role === 'all' && config.databaseUrl === null;
  const writeLock = threaded ? new SqliteWriteLock() : undefined;
  const store = await openStore(config, logger, threaded ? { writeLock, autoCheckpoint: false } : {});
  let unsubscribeWork: (() => void) | null = null;
  let dispatcher: Dispatcher | null = null;
  let thread: DispatchThread | null = null;
  let retention: RetentionJob | null = null;
  let app: FastifyInstance | null = null;
  let closing: Promise<void> | null = null;
  let stopping = false;

  try {
    const applied = await store.migrate();
    if (applied.length > 0) {
      logger.info({ versions: applied }, 'applied database migrations');
    }
    const admin = await resolveAdminKey(config.dataDir, config.adminKey);
    const metrics = createMetrics({
      store,
      onError: (err) => logger.warn({ err }, 'reading queue stats for /metrics failed'),
    });
    const runsDispatcher = config.role !== 'api' && !threaded;
    // The API process keeps a dispatcher too (never started): test sends go out from the request.
    const instance = createDispatcher(store, config, logger, metrics.onAttempt);
    dispatcher = instance;
    if (threaded) {
      thread = await startDispatchThread({
        config,
        filename: join(config.dataDir, DATABASE_FILE),
        writeLock: writeLock as SqliteWriteLock,
        metrics,
        logger,
        onFatal(err) {
          // An API that accepts events nobody delivers fails silently: stop, so a supervisor restarts us.
          logger.fatal({ err }, 'the dispatch thread died; exiting');
          process.exitCode = 1;
          process.kill(process.pid, 'SIGTERM');
        },
      });
    }
    const dispatchThread = thread;
    const readiness = async (): Promise<boolean> => {
      if (stopping || (dispatchThread !== null && !dispatchThread.running)) {
        return false;
      }
      // Reachable and migrated: a query against a table that only exists after the migrations.
      await store.listTenants({ limit: 1 });
      return true;
    };

    if (config.role === 'worker') {
      app = await buildOpsApp({ metrics, readiness, version: options.version, logger });
    } else {
      app = await buildApp({
        store,
        dispatcher: instance,
        notify: dispatchThread ? () => dispatchThread.notify() : undefined,
        adminKey: admin.key,
        dev: config.dev,
        plans: config.plans,
        defaultPlan: config.defaultPlan,
        maxPayloadBytes: config.maxPayloadBytes,
        publicBaseUrl: config.publicBaseUrl ?? undefined,
        uiFrameAncestors: config.uiFrameAncestors,
        metrics: { registry: metrics.registry, published: metrics.published },
        readiness,
        logger,
        version: options.version,
      });
    }
    const address = await app.listen({ host: config.host, port: config.port });
    const url = listenUrl(address, config.host);

    if (runsDispatcher) {
      instance.start();
      // PostgreSQL: publishes in any process wake this dispatcher through LISTEN/NOTIFY, so it does not
      // have to poll to notice them (SQLite has no such channel; its dispatcher wakes on its own publishes).
      unsubscribeWork = store.onWorkAvailable?.(() => instance.notify()) ?? null;
      retention = startRetentionJob({
        store,
        days: config.retentionDays,
        intervalMs: config.retentionIntervalMs,
        logger: logger.child({ component: 'retention' }),
      });
    }
    const listening = app;
    return {
      url,
      adminKey: admin.key,
      adminKeySource: admin.source,
      adminKeyPath: admin.path,
      store,
      app: listening,
      dispatcher: runsDispatcher ? instance : null,
      metrics,
      close() {
        closing ??= (async () => {
          stopping = true;
          unsubscribeWork?.();
          logger.info('shutting down: no new requests or claims; finishing in-flight work');
          const results = await Promise.allSettled([
            listening.close(),
            instance.stop({ deadlineMs: config.shutdownTimeoutMs }),
            dispatchThread?.stop(config.shutdownTimeoutMs),
            retention?.stop(),
          ]);
          for (const r of results) {
            if (r.status === 'rejected') {
              logger.error({ err: r.reason }, 'shutdown step failed');
            }
          }
          await store.close();
          logger.info('stopped');
        })();
        return closing;
      },
    };
  } catch (err) {
    // Startup failed part-way: undo what was started, so the process can exit cleanly.
    unsubscribeWork?.();
    await app?.close().catch(() => {});
    await dispatcher?.stop({ deadlineMs: 0 }).catch(() => {});
    await thread?.stop(0).catch(() => {});
    await retention?.stop().catch(() => {});
    await store.close().catch(() => {});
    throw err;
  }
}

/** A URL for the address fastify returned, preferring the configured host name when it is specific. */
function listenUrl(address: string, host: string): string {
  const url = new URL(address);
  if (host === '0.0.0.0' || host === '::') {
    url.hostname = '127.0.0.1';
  }
  return url.origin;
}
