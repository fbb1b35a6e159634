import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHookwireClient, type HookwireClient } from '@hookwire/client';

/** The built CLI: e2e tests run the real binary, as `pnpm start` and users do. */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export const ADMIN_KEY = 'e2e-admin-key-0123456789abcdef';

export function assertBuilt(): void {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: run "pnpm --filter @hookwire/server build" before the e2e tests`);
  }
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A `hookwire` child process. */
export interface HookwireProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  exited: Promise<number | string>;
  /** SIGTERM and wait (bounded); SIGKILL if it does not exit in time. */
  stop(): Promise<number | string>;
  kill(): Promise<number | string>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) {
    child.kill('SIGKILL');
  }
});

/** Runs `node dist/cli.js <args>` to completion (bounded), capturing its output. */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  assertBuilt();
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | string>((resolve) =>
    child.on('exit', (c, s) => resolve(c ?? s ?? 'unknown')),
  );
  clearTimeout(timer);
  running.delete(child);
  return { code, stdout, stderr };
}

/**
 * Starts `hookwire serve` on a free port (`--port 0`; the URL comes from the start banner) and waits until it
 * listens. Logs at warn unless `HOOKWIRE_LOG_LEVEL` is given.
 */
export async function startHookwire(opts: {
  dataDir: string;
  args?: string[];
  env?: Record<string, string>;
}): Promise<HookwireProcess> {
  assertBuilt();
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--port', '0', '--data-dir', opts.dataDir, ...(opts.args ?? ['--dev'])],
    {
      env: {
        ...process.env,
        HOOKWIRE_ADMIN_KEY: ADMIN_KEY,
        HOOKWIRE_LOG_LEVEL: 'warn',
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hookwire did not start in 30 s:\n${stderr}\n${stdout}`));
    }, 30_000);
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`hookwire exited (${code}) before listening:\n${stderr}\n${stdout}`));
    });
  });
  const waitExit = async (ms: number) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => {
      timer = setTimeout(() => r('late'), ms);
    });
    const r = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (r === 'late') {
      child.kill('SIGKILL');
      return exited;
    }
    return r;
  };
  return {
    url,
    child,
    exited,
    output: () => ({ stdout, stderr }),
    stop() {
      child.kill('SIGTERM');
      return waitExit(30_000);
    },
    kill() {
      child.kill('SIGKILL');
      return exited;
    },
  };
}

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export type ReceiverHandler = (req: Received, res: ServerResponse) => void;

/** A real receiver on 127.0.0.1: records every request with its raw body; the handler picks the answer. */
export interface Receiver {
  url: string;
  requests: Received[];
  on(path: string, handler: ReceiverHandler): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = [];
  const handlers = new Map<string, ReceiverHandler>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(r);
      const h = handlers.get(r.path);
      if (h) {
        h(r, res);
      } else {
        res.statusCode = 204;
        res.end();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on: (path, handler) => handlers.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `check` until it returns a value other than undefined/false, at most `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) {
      return v;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Creates a tenant and a key through the admin API; returns a client acting as that tenant. */
export async function createTenant(
  baseUrl: string,
  name: string,
  opts: { plan?: string; eventTypes?: string[] } = {},
): Promise<{ tenantId: string; apiKey: string; hw: HookwireClient }> {
  const admin = createHookwireClient({ baseUrl, apiKey: ADMIN_KEY, retries: false });
  const tenant = await admin.tenants.create({ name, ...(opts.plan ? { plan: opts.plan } : {}) });
  const { key } = await admin.apiKeys.create(tenant.id, { name: 'e2e' });
  const hw = createHookwireClient({ baseUrl, apiKey: key, retries: false });
  for (const type of opts.eventTypes ?? ['link.click']) {
    await hw.eventTypes.create({ name: type, description: `${type} (e2e)` });
  }
  return { tenantId: tenant.id, apiKey: key, hw };
}
