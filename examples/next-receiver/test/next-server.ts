import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** The example app's root directory. */
export const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const nextBin = join(appDir, 'node_modules', 'next', 'dist', 'bin', 'next');

/** Everything `next build` reads: if any of it is newer than `.next/BUILD_ID`, the build is stale. */
const buildInputs = ['app', 'pages', 'lib', 'next.config.mjs', 'tsconfig.json', 'package.json'].map((p) =>
  join(appDir, p),
);
const workspaceDists = ['@hookwire/next', '@hookwire/events', '@hookwire/signatures'].map((name) =>
  join(appDir, 'node_modules', name, 'dist'),
);

function newestMtime(path: string): number {
  if (!existsSync(path)) {
    return 0;
  }
  const stat = statSync(path);
  if (!stat.isDirectory()) {
    return stat.mtimeMs;
  }
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/**
 * True when `.next` holds a production build at least as new as every input. Under turbo the `build`
 * task has just produced (or restored) it; run directly, a stale or missing build is rebuilt.
 */
export function buildIsFresh(): boolean {
  const buildId = join(appDir, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) {
    return false;
  }
  const built = statSync(buildId).mtimeMs;
  return [...buildInputs, ...workspaceDists].every((input) => newestMtime(input) <= built);
}

/** Environment for every `next` child: no telemetry, no network. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', ...extra };
}

/** Runs `next build` to completion; rejects with its output if it fails. */
export async function nextBuild(): Promise<void> {
  const child = spawn(process.execPath, [nextBin, 'build'], { cwd: appDir, env: childEnv({}) });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) {
    throw new Error(`next build exited with ${code}:\n${output}`);
  }
}

/** A free TCP port on 127.0.0.1 (asked from the OS, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') {
    throw new Error('could not get a free port');
  }
  return address.port;
}

/** A running `next start` child process. */
export interface NextServer {
  origin: string;
  /** Everything the server printed so far (stdout and stderr). */
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts `next start` on 127.0.0.1 and resolves once it answers HTTP. */
export async function nextStart(env: Record<string, string>): Promise<NextServer> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    [nextBin, 'start', '-H', '127.0.0.1', '-p', String(port)],
    {
      cwd: appDir,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  const stop = async () => {
    if (exited) {
      return;
    }
    child.kill('SIGTERM');
    const killed = await Promise.race([exit.then(() => true), delay(5_000).then(() => false)]);
    if (!killed) {
      child.kill('SIGKILL');
      await exit;
    }
  };
  // Bounded wait: 300 polls of at most ~200 ms each.
  for (let attempt = 0; attempt < 300; attempt++) {
    if (exited) {
      throw new Error(`next start exited early:\n${output}`);
    }
    try {
      const response = await fetch(`${origin}/api/events`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) {
        return { origin, output: () => output, stop };
      }
    } catch {
      // Not listening yet.
    }
    await delay(200);
  }
  await stop();
  throw new Error(`next start did not answer on ${origin}:\n${output}`);
}
