/** A plan: endpoint quota and retry schedule. Plans come from the server's configuration. */
export interface Plan {
  name: string;
  /** Most endpoints a tenant on this plan may have; undefined = unlimited. */
  maxEndpoints?: number;
  /** Delay before each retry, in ms. The length is the number of retries (attempts = length + 1). */
  retryScheduleMs: number[];
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** DESIGN.md default: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (eight attempts over about 27.6 h). */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  10 * HOUR,
];

/** Built-in plans, matching the seed products (AWSYS.CO: 5 / 10 endpoints, 3 retries at 5 min / 30 min / 2 h). */
export const DEFAULT_PLANS: Record<string, Plan> = {
  default: { name: 'default', retryScheduleMs: [...DEFAULT_RETRY_SCHEDULE_MS] },
  pro: { name: 'pro', maxEndpoints: 5, retryScheduleMs: [5 * MINUTE, 30 * MINUTE, 2 * HOUR] },
  builder: { name: 'builder', maxEndpoints: 10, retryScheduleMs: [5 * MINUTE, 30 * MINUTE, 2 * HOUR] },
};

/** ±20 % (HARDENING 47): spreads retries so a recovering receiver isn't hit by a synchronized storm. */
export const DEFAULT_JITTER = 0.2;

/**
 * Delay before the retry that follows attempt number `attempt` (1-based, counted since the last
 * (re)schedule), or null when retries are exhausted.
 */
export function retryDelayMs(
  schedule: readonly number[],
  attempt: number,
  opts: { jitter?: number; random?: () => number } = {},
): number | null {
  const base = schedule[attempt - 1];
  if (base === undefined) {
    return null;
  }
  const jitter = opts.jitter ?? DEFAULT_JITTER;
  const r = (opts.random ?? Math.random)();
  return Math.max(0, Math.round(base * (1 + jitter * (2 * r - 1))));
}

/**
 * Parses `Retry-After` (delta seconds or an HTTP-date) into ms from `now`. Values that don't parse, or lie
 * in the past, give null (HARDENING 34: ignore them).
 */
export function parseRetryAfter(value: string | string[] | undefined, now: Date): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) {
    return null;
  }
  const trimmed = v.trim();
  if (/^\d+$/.test(trimmed)) {
    return Number(trimmed) * SECOND;
  }
  if (!/[a-z]/i.test(trimmed)) {
    return null;
  }
  const at = Date.parse(trimmed);
  if (Number.isNaN(at) || at <= now.getTime()) {
    return null;
  }
  return at - now.getTime();
}
