import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { CONFIG_OPTIONS, ConfigError, loadConfig, SERVE_FLAGS, type ServeFlags } from './config.js';
import { isHookwireServerError } from './errors.js';
import { CodegenError, fetchCatalog, renderCatalogModule } from './runtime/codegen.js';
import { ensureDemoTenant } from './runtime/demo.js';
import { createLogger } from './runtime/logger.js';
import { DATABASE_FILE, openStore, type RunningServer, startServer } from './runtime/start-server.js';

const VERSION = '0.0.0';

const HELP = `hookwire ${VERSION}: the Hookwire webhook delivery server

Usage: hookwire <command> [options]

Commands:
  serve      run the HTTP API and the dispatcher (default role: both in one process)
  migrate    apply pending database migrations and exit
  codegen    write TypeScript types for a running server's event catalog

Options:
  -h, --help     show help (also: hookwire <command> --help)
  -v, --version  print the version

Start locally:  hookwire serve --dev
Docs: https://github.com/hookwire/hookwire/tree/main/packages/server#readme
`;

function serveHelp(): string {
  const rows = CONFIG_OPTIONS.map((o) => {
    const name = o.flag
      ? `${o.flag}${SERVE_FLAGS[o.flag.slice(2) as keyof typeof SERVE_FLAGS]?.type === 'string' ? ' <v>' : ''}`
      : '';
    return `  ${name.padEnd(22)} ${o.env.padEnd(31)} ${o.description} [${o.default}]`;
  });
  return `Usage: hookwire serve [options]

Runs the Hookwire server: the HTTP API and the dispatcher (--role all), only the API (--role api), or only
the dispatcher and retention job (--role worker, which serves /healthz, /readyz and /metrics). SIGTERM/SIGINT
shut down gracefully.

Database: the embedded SQLite file in the data dir, or PostgreSQL with --database-url postgres://... . On
PostgreSQL any number of processes share one database: run \`hookwire migrate\` once, then N x --role worker
and M x --role api with the same URL, schema, HOOKWIRE_ADMIN_KEY and HOOKWIRE_ENCRYPTION_KEY.

Flags override environment variables:
  ${'flag'.padEnd(22)} ${'variable'.padEnd(31)} meaning [default]
${rows.join('\n')}
  --demo with --dev creates a demo tenant, prints its API key and a curl line to publish a first event.
`;
}

const MIGRATE_HELP = `Usage: hookwire migrate [--data-dir <dir>] [--database-url <url> [--database-schema <name>]]

Applies pending schema migrations and exits: to PostgreSQL when --database-url / HOOKWIRE_DATABASE_URL is a
postgres:// URL (in --database-schema / HOOKWIRE_DATABASE_SCHEMA, created when missing), else to the SQLite
file HOOKWIRE_DATA_DIR/${DATABASE_FILE}.
\`hookwire serve\` migrates on start too (on PostgreSQL under an advisory lock, so many processes may start at
once); run this first when several processes share a database, e.g. as a deploy step.
`;

const CODEGEN_HELP = `Usage: hookwire codegen --url <server> --key <apiKey> [--out <file>]

Downloads the event catalog of a running server (GET /api/event-types) and writes a TypeScript module:
  export type EventMap = { 'link.click': { link_id: string; ... }; ... }
  export type EventType = keyof EventMap
  export const eventTypes = ['link.click', ...] as const
Use it as createHookwireClient<EventMap>(...) so publishes are typed.

  --url <server>   base URL of the server                 [HOOKWIRE_URL]
  --key <apiKey>   a tenant API key                       [HOOKWIRE_API_KEY]
  --out <file>     where to write (default: stdout)
`;

/** A command-line mistake: printed with the command's help hint, exit code 2. */
class UsageError extends Error {}

const HELP_FLAG = { help: { type: 'boolean', short: 'h' } } as const;

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function serve(args: string[]): Promise<number> {
  const { values } = parse(args, { ...SERVE_FLAGS, ...HELP_FLAG });
  if (values.help) {
    process.stdout.write(serveHelp());
    return 0;
  }
  const config = loadConfig(values as ServeFlags);
  const logger = createLogger(config.logLevel);
  let server: RunningServer;
  try {
    server = await startServer(config, { logger, version: VERSION });
  } catch (err) {
    logger.fatal({ err }, 'the server could not start');
    throw err;
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal during shutdown: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'signal received');
    // A stuck close must not keep the process alive forever.
    setTimeout(() => {
      logger.error('shutdown did not finish in time: exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 15_000).unref();
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  logger.info(
    { url: server.url, role: config.role, dataDir: config.dataDir, dev: config.dev, version: VERSION },
    'hookwire listening',
  );
  const lines: string[] = ['', `Hookwire ${VERSION} listening on ${server.url} (role ${config.role})`];
  lines.push(`  data dir: ${config.dataDir}`);
  if (config.databaseUrl !== null) {
    lines.push(
      `  database: PostgreSQL${config.databaseSchema ? `, schema ${config.databaseSchema}` : ''} (pool ${config.databasePoolSize})`,
    );
  }
  if (config.dev) {
    lines.push(
      '',
      '  !!! DEV MODE: http:// and loopback endpoint URLs are allowed. Never run --dev in production. !!!',
    );
  }
  if (server.adminKeySource === 'generated') {
    lines.push(
      '',
      `  Admin key (generated now, stored in ${server.adminKeyPath}; keep it secret):`,
      `    ${server.adminKey}`,
    );
  } else if (config.dev && config.role !== 'worker') {
    lines.push(
      '',
      `  Admin key (${server.adminKeySource === 'env' ? 'HOOKWIRE_ADMIN_KEY' : server.adminKeyPath}):`,
      `    ${server.adminKey}`,
    );
  } else if (server.adminKeySource === 'file') {
    lines.push(`  admin key: in ${server.adminKeyPath}`);
  }
  if (config.demo && config.role !== 'worker') {
    const demo = await ensureDemoTenant({
      app: server.app,
      store: server.store,
      adminKey: server.adminKey,
      dataDir: config.dataDir,
    });
    const body = JSON.stringify({ type: 'link.click', data: { link_id: 'lnk_demo', country: 'FR' } });
    lines.push(
      '',
      `  Demo tenant ${demo.tenantId}${demo.created ? ' (created now)' : ''}, API key:`,
      `    ${demo.apiKey}`,
      `  Event types: ${demo.eventTypes.join(', ')}`,
      '',
      '  Register an endpoint, then publish a first event:',
      `    curl -s -X POST ${server.url}/api/webhooks -H 'authorization: Bearer ${demo.apiKey}' \\`,
      `      -H 'content-type: application/json' -d '{"url":"http://127.0.0.1:3000/webhooks","events":["link.click"]}'`,
      `    curl -s -X POST ${server.url}/api/events -H 'authorization: Bearer ${demo.apiKey}' \\`,
      `      -H 'content-type: application/json' -d '${body}'`,
      '',
      `  Dashboard: ${server.url}/ui (sign in with the demo API key)`,
    );
  }
  lines.push('', `  health: ${server.url}/healthz   metrics: ${server.url}/metrics`, '');
  process.stderr.write(`${lines.join('\n')}\n`);
  return -1; // keep running until a signal
}

async function migrate(args: string[]): Promise<number> {
  const { values } = parse(args, {
    'data-dir': SERVE_FLAGS['data-dir'],
    'database-url': SERVE_FLAGS['database-url'],
    'database-schema': SERVE_FLAGS['database-schema'],
    ...HELP_FLAG,
  });
  if (values.help) {
    process.stdout.write(MIGRATE_HELP);
    return 0;
  }
  const config = loadConfig(values as ServeFlags);
  const store = await openStore(config);
  // Never print the URL: it may carry a password.
  const target =
    config.databaseUrl !== null
      ? `PostgreSQL${config.databaseSchema ? ` schema ${config.databaseSchema}` : ''}`
      : join(config.dataDir, DATABASE_FILE);
  try {
    const applied = await store.migrate();
    process.stdout.write(
      applied.length > 0
        ? `applied migrations ${applied.join(', ')} to ${target}\n`
        : `${target} is up to date\n`,
    );
  } finally {
    await store.close();
  }
  return 0;
}

async function codegen(args: string[]): Promise<number> {
  const { values } = parse(args, {
    url: { type: 'string' },
    key: { type: 'string' },
    out: { type: 'string', short: 'o' },
    ...HELP_FLAG,
  });
  if (values.help) {
    process.stdout.write(CODEGEN_HELP);
    return 0;
  }
  const url = values.url ?? process.env.HOOKWIRE_URL;
  const key = values.key ?? process.env.HOOKWIRE_API_KEY;
  if (!url || !key) {
    throw new UsageError(
      'codegen needs --url <server> and --key <apiKey> (or HOOKWIRE_URL / HOOKWIRE_API_KEY)',
    );
  }
  try {
    new URL(url);
  } catch {
    throw new UsageError(`--url is not a URL: ${url}`);
  }
  const types = await fetchCatalog(url, key);
  const source = renderCatalogModule(types, { url: new URL(url).origin });
  if (values.out) {
    await writeFile(values.out, source);
    process.stderr.write(
      `wrote ${types.length} event types to ${relative(process.cwd(), values.out) || values.out}\n`,
    );
  } else {
    process.stdout.write(source);
  }
  return 0;
}

/** Runs the CLI; resolves with the exit code, or -1 while `serve` keeps running. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(HELP);
        return command === undefined ? 2 : 0;
      case '-v':
      case '--version':
      case 'version':
        process.stdout.write(`${VERSION}\n`);
        return 0;
      case 'serve':
        return await serve(rest);
      case 'migrate':
        return await migrate(rest);
      case 'codegen':
        return await codegen(rest);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      const known = command === 'serve' || command === 'migrate' || command === 'codegen';
      process.stderr.write(
        `hookwire: ${err.message}\nRun "hookwire ${known ? `${command} ` : ''}--help" for usage.\n`,
      );
      return 2;
    }
    if (isHookwireServerError(err) && err.code === 'DATABASE_UNAVAILABLE') {
      process.stderr.write(`hookwire: ${err.message}\n`);
      return 1;
    }
    if (err instanceof ConfigError || err instanceof CodegenError) {
      process.stderr.write(`hookwire: ${err.message}\n`);
      return err instanceof ConfigError ? 2 : 1;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      // A system error at listen time: the message names the address; a stack trace would only hide it.
      process.stderr.write(
        `hookwire: cannot listen: ${(err as Error).message} (set --port / HOOKWIRE_PORT)\n`,
      );
      return 1;
    }
    process.stderr.write(`hookwire: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  if (code >= 0) {
    process.exitCode = code;
  }
});
