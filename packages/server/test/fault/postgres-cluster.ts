import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private PostgreSQL cluster for tests that must stop and restart the database (fault case 4): its own
 * data directory under the temp dir, its own free port on 127.0.0.1, trust auth, no Unix socket. The
 * machine's shared PostgreSQL (5432) is never touched: other test files use it in parallel.
 *
 * initdb and postgres refuse to run as root, so under root every command runs as the `postgres` user
 * (`runuser -u postgres --`); any other user runs them as itself.
 */
export interface PrivateCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** `pg_ctl stop -m fast`: sessions are terminated, open transactions roll back, then a clean shutdown. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops (immediately) and removes the data directory; safe to call twice. */
  destroy(): Promise<void>;
}

/** The newest Debian-style server binaries (/usr/lib/postgresql/<major>/bin), else `pg_config --bindir`. */
function findBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (majors[0]) {
      return join(root, majors[0], 'bin');
    }
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    return existsSync(join(dir, 'initdb')) ? dir : null;
  } catch {
    return null;
  }
}

/** uid/gid of the `postgres` user, or null when there is none. */
function postgresUser(): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

const isRoot = () => process.getuid?.() === 0;

/** Why a private cluster cannot be started here, or null when it can. */
export function privateClusterUnavailable(): string | null {
  if (!findBinDir()) {
    return 'no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin or from pg_config';
  }
  if (isRoot() && !postgresUser()) {
    return 'running as root and there is no postgres user to run initdb as (initdb refuses root)';
  }
  if (isRoot() && !existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')) {
    return 'running as root without runuser to drop to the postgres user';
  }
  return null;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startPrivateCluster(): Promise<PrivateCluster> {
  const bin = findBinDir();
  if (!bin) {
    throw new Error(privateClusterUnavailable() ?? 'no PostgreSQL binaries');
  }
  const owner = isRoot() ? postgresUser() : null;
  const base = mkdtempSync(join(tmpdir(), 'hookwire-pg-cluster-'));
  if (owner) {
    chownSync(base, owner.uid, owner.gid);
  }
  const data = join(base, 'data');
  const log = join(base, 'postgres.log');

  const argv = (tool: string, args: string[]): [string, string[]] =>
    owner ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
  const run = (tool: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const [file, list] = argv(tool, args);
      execFile(file, list, { cwd: base, timeout: 60_000 }, (err, stdout, stderr) =>
        err
          ? reject(new Error(`${tool} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`))
          : resolve(),
      );
    });

  await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  // Small and private: TCP on 127.0.0.1 only (no socket in the shared /var/run/postgresql).
  appendFileSync(
    join(data, 'postgresql.conf'),
    [
      '',
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      "unix_socket_directories = ''",
      'max_connections = 40',
      'shared_buffers = 16MB',
      '',
    ].join('\n'),
  );

  const start = () => run('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', 'start']);
  const stop = (mode: 'fast' | 'immediate') =>
    run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
  // If the test process dies, do not leave a postgres running.
  const onExit = () => {
    try {
      const [file, list] = argv('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      execFileSync(file, list, { cwd: base, stdio: 'ignore', timeout: 20_000 });
    } catch {
      // not running
    }
    rmSync(base, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  await start();
  let destroyed = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => stop('fast'),
    start,
    destroy: async () => {
      if (destroyed) {
        return;
      }
      destroyed = true;
      process.removeListener('exit', onExit);
      await stop('immediate').catch(() => {});
      rmSync(base, { recursive: true, force: true });
    },
  };
}
