import { createServer, type Server, Socket } from 'node:net';
import pg from 'pg';
import { PostgresStore, type PostgresStoreOptions } from '../src/store/postgres-store.js';

/**
 * PostgreSQL for tests: `HOOKWIRE_TEST_DATABASE_URL` (e.g. postgres://postgres@127.0.0.1:5432/test). Unset,
 * the PostgreSQL suites skip and say why once.
 */
export const TEST_DATABASE_URL = process.env.HOOKWIRE_TEST_DATABASE_URL ?? '';

export function reportSkip(suite: string): void {
  if (!TEST_DATABASE_URL) {
    console.log(
      `${suite}: skipped, HOOKWIRE_TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)`,
    );
  }
}

let counter = 0;

/** A schema name no other run or test uses: pid + time + counter. */
export function uniqueSchema(): string {
  return `hw_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
}

/** Runs one statement on a short-lived admin connection (outside any store's pool). */
export async function adminQuery(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** A migrated store on its own fresh schema; `cleanup` closes it and drops the schema. */
export async function freshStore(
  over: Partial<PostgresStoreOptions> = {},
): Promise<{ store: PostgresStore; schema: string; cleanup: () => Promise<void> }> {
  const schema = over.schema ?? uniqueSchema();
  const store = new PostgresStore({ connectionString: TEST_DATABASE_URL, poolSize: 4, ...over, schema });
  await store.migrate();
  return {
    store,
    schema,
    cleanup: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
}

/**
 * A TCP proxy on 127.0.0.1 in front of the test database: `down()` closes it and cuts every connection
 * (PostgreSQL "goes away" for the stores behind it without touching the shared server), `up()` brings it
 * back on the same port.
 */
export class DatabaseProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  private get target(): { host: string; port: number } {
    const url = new URL(TEST_DATABASE_URL);
    return { host: url.hostname || '127.0.0.1', port: Number(url.port || 5432) };
  }

  /** The test database URL, through the proxy. */
  get url(): string {
    const url = new URL(TEST_DATABASE_URL);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  async up(): Promise<void> {
    const { host, port } = this.target;
    const server = createServer((client) => {
      const upstream = new Socket();
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      upstream.connect(port, host, () => {
        client.pipe(upstream);
        upstream.pipe(client);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) {
      s.destroy();
    }
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
