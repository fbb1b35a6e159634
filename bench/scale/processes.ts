/**
 * The processes of the scale benchmark: `hookwire` (built CLI) serve/migrate children, the 204 receiver of
 * bench/delivery in its own process, and the CPU counters read from /proc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  ADMIN_KEY,
  type ReceiverChild,
  startReceiver as startDeliveryReceiver,
} from '../delivery/harness.js';

export { ADMIN_KEY };
/** `HOOKWIRE_CLI=/path/to/other/dist/cli.js` runs another build. */
export const CLI =
  process.env.HOOKWIRE_CLI ??
  join(dirname(createRequire(import.meta.url).resolve('@hookwire/server/package.json')), 'dist/cli.js');

/** Extra node flags for every hookwire process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile. */
const SERVER_NODE_ARGS = (process.env.SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) {
    c.kill('SIGKILL');
  }
});

export interface HookwireChild {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `hookwire serve --dev --port 0 <args>`; resolves with its URL once it listens (bounded). */
export async function startHookwire(args: string[], env: Record<string, string>): Promise<HookwireChild> {
  const child = spawn(
    process.execPath,
    [...SERVER_NODE_ARGS, CLI, 'serve', '--dev', '--port', '0', ...args],
    {
      env: { ...process.env, HOOKWIRE_ADMIN_KEY: ADMIN_KEY, HOOKWIRE_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'inherit', 'pipe'],
    },
  );
  children.add(child);
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hookwire did not start in 60 s:\n${err}`)), 60_000);
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hookwire exited ${code}:\n${err}`));
    });
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) {
        return;
      }
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
      children.delete(child);
    },
  };
}

/** `hookwire migrate <args>` to completion (bounded). */
export async function migrate(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [CLI, 'migrate', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  clearTimeout(timer);
  children.delete(child);
  if (code !== 0) {
    throw new Error(`hookwire migrate exited ${code}: ${out}`);
  }
  return out.trim();
}

export type { ReceiverChild } from '../delivery/harness.js';

/** The 204 receiver of bench/delivery in its own process; killed when this process exits. */
export function startReceiver(): Promise<ReceiverChild> {
  return startDeliveryReceiver('ok', (child) => children.add(child));
}

/** user + system CPU seconds of a child process so far (Linux /proc; NaN elsewhere). */
export function cpuSeconds(child: ChildProcess): number {
  return child.pid === undefined ? Number.NaN : cpuSecondsOf(child.pid);
}

/** Busy and total CPU ticks of the whole machine (/proc/stat), to say how loaded the cores were. */
export function machineTicks(): { busy: number; total: number } {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0); // idle + iowait
    const total = cpu.reduce((a, n) => a + n, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

/** Local TCP ports of the sockets `pids` hold open (Linux /proc), e.g. their PostgreSQL connections. */
export function localPorts(pids: number[]): Set<number> {
  const inodes = new Set<string>();
  for (const pid of pids) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSafe(`/proc/${pid}/fd/${fd}`));
        if (m?.[1]) {
          inodes.add(m[1]);
        }
      }
    } catch {
      // gone
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      if (local && cols[9] && inodes.has(cols[9])) {
        ports.add(Number.parseInt(local.split(':')[1] ?? '0', 16));
      }
    }
  }
  return ports;
}

function readlinkSafe(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

/** user + system CPU seconds of a process by pid (Linux /proc; NaN when unreadable). */
export function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}
