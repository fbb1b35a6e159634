import pg from 'pg';

/** The channel every Hookwire store notifies on; the payload is the schema, so installations stay apart. */
export const WORK_CHANNEL = 'hookwire_work';

export interface WorkListenerOptions {
  /** How to open the dedicated connection (the pool's settings; LISTEN needs its own session). */
  clientConfig: pg.ClientConfig;
  /** Only notifications with this payload (the store's schema, '' for the default) wake the listeners. */
  payload: string;
  /** First reconnect delay; doubles up to `maxReconnectMs`. */
  minReconnectMs?: number;
  maxReconnectMs?: number;
  /** Connection loss and reconnect failures (expected while PostgreSQL restarts). */
  onError?: (err: unknown) => void;
}

/**
 * One LISTEN connection per store, opened while someone subscribes. It reconnects after a connection loss
 * (PostgreSQL restart, network cut) with a bounded backoff, and wakes every subscriber once it is back,
 * because whatever was published while nobody listened sent its NOTIFY into the void.
 */
export class PostgresWorkListener {
  private readonly subscribers = new Set<() => void>();
  private readonly o: Required<Omit<WorkListenerOptions, 'onError'>> & Pick<WorkListenerOptions, 'onError'>;
  /** The connection of the latest attempt, connecting or connected; events of older ones are ignored. */
  private client: pg.Client | null = null;
  private running = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private delayMs: number;
  private connects = 0;

  constructor(options: WorkListenerOptions) {
    this.o = { minReconnectMs: 100, maxReconnectMs: 5000, ...options };
    this.delayMs = this.o.minReconnectMs;
  }

  /** Calls `fn` whenever work may be available; returns the unsubscribe function. */
  subscribe(fn: () => void): () => void {
    this.subscribers.add(fn);
    if (!this.running) {
      this.running = true;
      void this.connect();
    }
    return () => {
      this.subscribers.delete(fn);
      if (this.subscribers.size === 0) {
        void this.stop();
      }
    };
  }

  /** How many times a LISTEN connection was established (tests observe reconnects through it). */
  get connections(): number {
    return this.connects;
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  private wakeAll(): void {
    for (const fn of this.subscribers) {
      try {
        fn();
      } catch (err) {
        this.o.onError?.(err);
      }
    }
  }

  private async connect(): Promise<void> {
    this.retryTimer = null;
    const client = new pg.Client(this.o.clientConfig);
    this.client = client;
    client.on('notification', (msg) => {
      if (msg.channel === WORK_CHANNEL && (msg.payload ?? '') === this.o.payload) {
        this.wakeAll();
      }
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, null));
    try {
      await client.connect();
      await client.query(`LISTEN ${WORK_CHANNEL}`);
    } catch (err) {
      this.o.onError?.(err);
      this.lost(client, null);
      return;
    }
    if (this.client !== client) {
      await client.end().catch(() => {}); // stopped meanwhile
      return;
    }
    this.connects++;
    this.delayMs = this.o.minReconnectMs;
    this.wakeAll();
  }

  private lost(client: pg.Client, err: unknown): void {
    if (err) {
      this.o.onError?.(err);
    }
    client.end().catch(() => {});
    if (this.client !== client) {
      return; // an older connection, or stopped
    }
    this.client = null;
    if (!this.running) {
      return;
    }
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.o.maxReconnectMs);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }
}
