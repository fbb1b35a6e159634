import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built `hookwire` CLI of the workspace (turbo builds it before this package's tests). */
const CLI = fileURLToPath(new URL('../../../server/dist/cli.js', import.meta.url));

export const ADMIN_KEY = 'ui-e2e-admin-key-0123456789abcdef';

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * `hookwire serve --dev` on a free 127.0.0.1 port with a temporary data dir (removed on stop). `plans` is
 * `HOOKWIRE_PLANS`; the first plan is the default.
 */
export async function startServer(plans: Record<string, unknown>): Promise<RunningServer> {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: run "pnpm --filter @hookwire/server build" first`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'hookwire-ui-e2e-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [CLI, 'serve', '--dev', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir],
    {
      env: {
        ...process.env,
        HOOKWIRE_ADMIN_KEY: ADMIN_KEY,
        HOOKWIRE_PLANS: JSON.stringify(plans),
        HOOKWIRE_DEFAULT_PLAN: Object.keys(plans)[0] ?? 'default',
        HOOKWIRE_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hookwire did not start in 30 s:\n${stderr}`));
    }, 30_000);
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stdout?.resume();
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`hookwire exited before listening:\n${stderr}`));
    });
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      const late = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(late);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
