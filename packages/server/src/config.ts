import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_RETRY_SCHEDULE_MS, type Plan } from './dispatcher/retry-policy.js';

/** Which parts of the server a process runs: the HTTP API, the dispatcher, or both. */
export type ServerRole = 'api' | 'worker' | 'all';

/** A plan as configured: endpoint quota and retry delays in ms (omitted = the DESIGN.md default schedule). */
export interface PlanSettings {
  maxEndpoints: number;
  retrySchedule?: number[];
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Everything `hookwire serve` needs, resolved from flags, environment and defaults. */
export interface ServerConfig {
  host: string;
  port: number;
  /** Directory of the SQLite file (`hookwire.db`) and the generated admin key. Absolute. */
  dataDir: string;
  /** A `postgres://` URL (PostgresStore, many processes on one database), or null for embedded SQLite. */
  databaseUrl: string | null;
  /** PostgreSQL schema of Hookwire's tables, or null for the connection's default search_path. */
  databaseSchema: string | null;
  /** Most PostgreSQL connections one process opens for queries (LISTEN takes one more). */
  databasePoolSize: number;
  /** The admin key from the environment, or null to read/generate it in the data dir. */
  adminKey: string | null;
  /** Main secret for encrypting endpoint secrets at rest, or null (stored in plain text). */
  encryptionKey: string | null;
  /** Allows http:// and loopback receivers; never for production. */
  dev: boolean;
  /** Creates (once) a demo tenant with an API key and the `links` event types. Dev mode only. */
  demo: boolean;
  role: ServerRole;
  /**
   * SQLite, role `all`: run the dispatcher on its own thread (own connection, shared write lock), so
   * delivery work never delays an API request. PostgreSQL and the other roles ignore it.
   */
  dispatchThread: boolean;
  /** Finished messages older than this are deleted. 0 = keep forever. */
  retentionDays: number;
  retentionIntervalMs: number;
  plans: Record<string, PlanSettings>;
  defaultPlan: string;
  /** How long shutdown waits for in-flight attempts before aborting them. */
  shutdownTimeoutMs: number;
  /** Per-attempt deadline of the dispatcher. */
  requestTimeoutMs: number;
  maxConcurrency: number;
  endpointConcurrency: number;
  claimBatchSize: number;
  /** The dispatcher's longest idle sleep. On PostgreSQL, NOTIFY wakes it sooner; this is the safety net. */
  pollIntervalMs: number;
  /** How long a claimed delivery stays leased; a killed worker's deliveries are retried after it. */
  leaseMs: number;
  /** Largest accepted request body (publish, inbound), or undefined for the API's default. */
  maxPayloadBytes: number | undefined;
  /** Base URL the server is reachable at from outside (inbound source URLs), or null = derived. */
  publicBaseUrl: string | null;
  /** Origins (besides the server's own) allowed to show the `/ui` dashboard in a frame. */
  uiFrameAncestors: string[];
  durability: 'normal' | 'full';
  logLevel: LogLevel;
}

/** Stable codes of configuration errors. */
export type ConfigErrorCode = 'INVALID_CONFIG' | 'UNSUPPORTED_DATABASE';

/** A configuration value is missing, malformed or not supported; the message names the variable or flag. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode;
  constructor(code: ConfigErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Built-in plans (issue 5): `pro` as AWSYS.CO sells it (5 endpoints, 3 retries at 5 min / 30 min / 2 h) and
 * `builder` (10 endpoints, the DESIGN.md default schedule). `HOOKWIRE_PLANS` replaces them.
 */
export const BUILT_IN_PLANS: Readonly<Record<string, PlanSettings>> = Object.freeze({
  pro: { maxEndpoints: 5, retrySchedule: [5 * MINUTE, 30 * MINUTE, 2 * HOUR] },
  builder: { maxEndpoints: 10 },
});

/** The flags `hookwire serve` accepts (node:util parseArgs shape); each mirrors a `HOOKWIRE_*` variable. */
export const SERVE_FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  'database-url': { type: 'string' },
  'database-schema': { type: 'string' },
  role: { type: 'string' },
  dev: { type: 'boolean' },
  demo: { type: 'boolean' },
  'retention-days': { type: 'string' },
  plans: { type: 'string' },
  'default-plan': { type: 'string' },
  'log-level': { type: 'string' },
  'public-url': { type: 'string' },
} as const;

export type ServeFlags = {
  [K in keyof typeof SERVE_FLAGS]?: (typeof SERVE_FLAGS)[K]['type'] extends 'boolean' ? boolean : string;
};

/** One row of the configuration table: the README and `hookwire serve --help` are generated from it. */
export interface ConfigOption {
  env: string;
  flag: string | null;
  default: string;
  description: string;
}

export const CONFIG_OPTIONS: readonly ConfigOption[] = [
  { env: 'HOOKWIRE_HOST', flag: '--host', default: '127.0.0.1', description: 'address to listen on' },
  { env: 'HOOKWIRE_PORT', flag: '--port', default: '8080', description: 'port to listen on (0 = any free)' },
  {
    env: 'HOOKWIRE_DATA_DIR',
    flag: '--data-dir',
    default: './.hookwire',
    description: 'holds hookwire.db (SQLite) and the generated admin key',
  },
  {
    env: 'HOOKWIRE_DATABASE_URL',
    flag: '--database-url',
    default: '(unset)',
    description: 'postgres://… selects PostgreSQL (many processes on one database); unset: SQLite',
  },
  {
    env: 'HOOKWIRE_DATABASE_SCHEMA',
    flag: '--database-schema',
    default: '(search_path)',
    description: 'PostgreSQL schema for the tables (created by migrate); [a-z_][a-z0-9_]*',
  },
  {
    env: 'HOOKWIRE_DATABASE_POOL_SIZE',
    flag: null,
    default: '10',
    description: 'PostgreSQL connections per process for queries (+1 for LISTEN)',
  },
  {
    env: 'HOOKWIRE_ADMIN_KEY',
    flag: null,
    default: 'generated',
    description: 'admin bearer key (>= 16 chars); unset: generated once into <data dir>/admin-key',
  },
  {
    env: 'HOOKWIRE_ENCRYPTION_KEY',
    flag: null,
    default: '(unset)',
    description: 'encrypts endpoint secrets at rest (AES-256-GCM, >= 16 chars); cannot change later',
  },
  {
    env: 'HOOKWIRE_DEV',
    flag: '--dev',
    default: '0',
    description: 'dev mode: http:// and loopback endpoints allowed; never in production',
  },
  {
    env: 'HOOKWIRE_DEMO',
    flag: '--demo',
    default: '0',
    description: 'dev mode only: create a demo tenant, API key and the links event types',
  },
  { env: 'HOOKWIRE_ROLE', flag: '--role', default: 'all', description: 'api | worker | all' },
  {
    env: 'HOOKWIRE_DISPATCH_THREAD',
    flag: null,
    default: '1',
    description: 'SQLite, role all: deliver on a second thread so API requests never wait for delivery work',
  },
  {
    env: 'HOOKWIRE_RETENTION_DAYS',
    flag: '--retention-days',
    default: '30',
    description: 'delete finished messages older than this (0 = keep)',
  },
  {
    env: 'HOOKWIRE_RETENTION_INTERVAL_MS',
    flag: null,
    default: '3600000',
    description: 'how often the retention job runs',
  },
  {
    env: 'HOOKWIRE_PLANS',
    flag: '--plans',
    default: 'pro, builder',
    description: 'plans as JSON or a path to a JSON file: {"name":{"maxEndpoints":5,"retrySchedule":[ms…]}}',
  },
  {
    env: 'HOOKWIRE_DEFAULT_PLAN',
    flag: '--default-plan',
    default: 'pro',
    description: 'plan of tenants created without one (default: pro, else the first plan)',
  },
  {
    env: 'HOOKWIRE_PUBLIC_URL',
    flag: '--public-url',
    default: 'http://<host>:<port>',
    description: 'external base URL (inbound source URLs)',
  },
  {
    env: 'HOOKWIRE_UI_FRAME_ANCESTORS',
    flag: null,
    default: '(none)',
    description: 'origins that may frame the /ui dashboard, space-separated (`https://app.example.com`)',
  },
  {
    env: 'HOOKWIRE_SHUTDOWN_TIMEOUT_MS',
    flag: null,
    default: '10000',
    description: 'SIGTERM: how long in-flight attempts may finish',
  },
  {
    env: 'HOOKWIRE_REQUEST_TIMEOUT_MS',
    flag: null,
    default: '10000',
    description: 'deadline of one delivery attempt',
  },
  {
    env: 'HOOKWIRE_MAX_CONCURRENCY',
    flag: null,
    default: '64',
    description: 'attempts in flight per process',
  },
  {
    env: 'HOOKWIRE_ENDPOINT_CONCURRENCY',
    flag: null,
    default: '4',
    description: 'attempts in flight per endpoint',
  },
  {
    env: 'HOOKWIRE_LEASE_MS',
    flag: null,
    default: '3 × timeout + 30 s',
    description: 'lease of a claimed delivery; after a crash its deliveries are retried this much later',
  },
  {
    env: 'HOOKWIRE_CLAIM_BATCH',
    flag: null,
    default: '50',
    description: 'deliveries claimed per query',
  },
  {
    env: 'HOOKWIRE_POLL_INTERVAL_MS',
    flag: null,
    default: '1000',
    description: 'longest idle sleep of the dispatcher (PostgreSQL: NOTIFY wakes it at once)',
  },
  {
    env: 'HOOKWIRE_MAX_PAYLOAD_BYTES',
    flag: null,
    default: '(API default)',
    description: 'largest accepted request body',
  },
  {
    env: 'HOOKWIRE_DURABILITY',
    flag: null,
    default: 'normal',
    description: 'SQLite: normal (WAL, survives SIGKILL) | full (fsync every commit)',
  },
  {
    env: 'HOOKWIRE_LOG_LEVEL',
    flag: '--log-level',
    default: 'info',
    description: 'fatal | error | warn | info | debug | trace | silent',
  },
];

type Env = Record<string, string | undefined>;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function invalid(message: string): ConfigError {
  return new ConfigError('INVALID_CONFIG', message);
}

/** The flag wins over the variable; empty strings count as unset. */
function pick(flag: string | undefined, env: Env, name: string): string | undefined {
  if (flag !== undefined && flag !== '') {
    return flag;
  }
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/**
 * `HOOKWIRE_UI_FRAME_ANCESTORS`: whole origins only (scheme, host, port), because each one goes verbatim into the
 * dashboard's CSP `frame-ancestors`; a path, a wildcard or a quote there would widen or break the policy.
 */
function parseOrigins(value: string): string[] {
  const origins: string[] = [];
  for (const item of value.split(/[\s,]+/).filter((s) => s !== '')) {
    let url: URL | null = null;
    try {
      url = new URL(item);
    } catch {
      url = null;
    }
    if (
      url === null ||
      (url.protocol !== 'https:' && url.protocol !== 'http:') ||
      url.origin !== item.replace(/\/$/, '')
    ) {
      throw invalid(
        `HOOKWIRE_UI_FRAME_ANCESTORS must list origins like https://app.example.com, got ${JSON.stringify(item)}`,
      );
    }
    origins.push(url.origin);
  }
  return origins;
}

function parseBool(value: string | boolean | undefined, name: string, fallback: boolean): boolean {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value === 'boolean') {
    return value;
  }
  const v = value.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) {
    return true;
  }
  if (['0', 'false', 'no', 'off'].includes(v)) {
    return false;
  }
  throw invalid(`${name} must be 1/true/yes/on or 0/false/no/off, got ${JSON.stringify(value)}`);
}

function parseInteger(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) {
    return fallback;
  }
  if (!/^\d+$/.test(value)) {
    throw invalid(`${name} must be a whole number, got ${JSON.stringify(value)}`);
  }
  const n = Number(value);
  if (n < min || n > max) {
    throw invalid(`${name} must be between ${min} and ${max}, got ${n}`);
  }
  return n;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses `HOOKWIRE_PLANS`: inline JSON (starts with `{`) or the path of a JSON file, mapping plan names to
 * `{ maxEndpoints, retrySchedule? }` with delays in milliseconds.
 * @throws ConfigError `INVALID_CONFIG` naming the offending plan and field.
 */
export function parsePlans(value: string, cwd: string = process.cwd()): Record<string, PlanSettings> {
  let text = value.trim();
  let origin = 'HOOKWIRE_PLANS';
  if (!text.startsWith('{')) {
    const path = resolve(cwd, text);
    origin = `HOOKWIRE_PLANS file ${path}`;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw invalid(`${origin} cannot be read: ${(err as Error).message}`);
    }
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw invalid(`${origin} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isRecord(raw) || Object.keys(raw).length === 0) {
    throw invalid(`${origin} must be a non-empty object of plans: {"pro":{"maxEndpoints":5}}`);
  }
  const plans: Record<string, PlanSettings> = {};
  for (const [name, plan] of Object.entries(raw)) {
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name)) {
      throw invalid(`${origin}: plan name ${JSON.stringify(name)} must match [a-z0-9][a-z0-9_-]*`);
    }
    if (!isRecord(plan)) {
      throw invalid(`${origin}: plan "${name}" must be an object`);
    }
    for (const key of Object.keys(plan)) {
      if (key !== 'maxEndpoints' && key !== 'retrySchedule') {
        throw invalid(
          `${origin}: plan "${name}" has an unknown field "${key}" (maxEndpoints, retrySchedule)`,
        );
      }
    }
    const max = plan.maxEndpoints;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 0) {
      throw invalid(`${origin}: plan "${name}".maxEndpoints must be a whole number >= 0`);
    }
    const settings: PlanSettings = { maxEndpoints: max };
    if (plan.retrySchedule !== undefined) {
      const s = plan.retrySchedule;
      if (
        !Array.isArray(s) ||
        s.length > 50 ||
        !s.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0 && d <= 30 * 86_400_000)
      ) {
        throw invalid(
          `${origin}: plan "${name}".retrySchedule must be at most 50 delays in ms (whole numbers, 0 to 30 days)`,
        );
      }
      settings.retrySchedule = [...(s as number[])];
    }
    plans[name] = settings;
  }
  return plans;
}

/** The dispatcher's view of the configured plans (retry delays filled in with the default schedule). */
export function toDispatcherPlans(plans: Record<string, PlanSettings>): Record<string, Plan> {
  const out: Record<string, Plan> = {};
  for (const [name, p] of Object.entries(plans)) {
    out[name] = {
      name,
      maxEndpoints: p.maxEndpoints,
      retryScheduleMs: [...(p.retrySchedule ?? DEFAULT_RETRY_SCHEDULE_MS)],
    };
  }
  return out;
}

/**
 * Resolves the server configuration: flag, else `HOOKWIRE_*` variable, else default. Pure apart from
 * reading a plans file; `cwd` anchors relative paths.
 * @throws ConfigError with a message that names the flag or variable to fix.
 */
export function loadConfig(
  flags: ServeFlags = {},
  env: Env = process.env,
  cwd = process.cwd(),
): ServerConfig {
  const host = pick(flags.host, env, 'HOOKWIRE_HOST') ?? '127.0.0.1';
  const port = parseInteger(
    pick(flags.port, env, 'HOOKWIRE_PORT'),
    'HOOKWIRE_PORT (--port)',
    8080,
    0,
    65_535,
  );
  const dataDir = resolve(cwd, pick(flags['data-dir'], env, 'HOOKWIRE_DATA_DIR') ?? './.hookwire');

  const databaseUrl = pick(flags['database-url'], env, 'HOOKWIRE_DATABASE_URL') ?? null;
  if (databaseUrl !== null) {
    if (!/^postgres(ql)?:\/\//i.test(databaseUrl)) {
      throw new ConfigError(
        'UNSUPPORTED_DATABASE',
        'HOOKWIRE_DATABASE_URL (--database-url) must be a postgres:// URL; unset it to use the embedded SQLite ' +
          'database in HOOKWIRE_DATA_DIR.',
      );
    }
    try {
      new URL(databaseUrl);
    } catch {
      // The URL may hold a password: never echo it.
      throw invalid(
        'HOOKWIRE_DATABASE_URL (--database-url) is not a valid URL: postgres://user:password@host:5432/db',
      );
    }
  }
  const databaseSchema = pick(flags['database-schema'], env, 'HOOKWIRE_DATABASE_SCHEMA') ?? null;
  if (databaseSchema !== null) {
    if (databaseUrl === null) {
      throw invalid('HOOKWIRE_DATABASE_SCHEMA (--database-schema) only applies with HOOKWIRE_DATABASE_URL');
    }
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) {
      throw invalid(
        `HOOKWIRE_DATABASE_SCHEMA (--database-schema) must match [a-z_][a-z0-9_]* (at most 63), got ${JSON.stringify(databaseSchema)}`,
      );
    }
  }
  const databasePoolSize = parseInteger(
    pick(undefined, env, 'HOOKWIRE_DATABASE_POOL_SIZE'),
    'HOOKWIRE_DATABASE_POOL_SIZE',
    10,
    1,
    1000,
  );

  const adminKey = pick(undefined, env, 'HOOKWIRE_ADMIN_KEY') ?? null;
  if (adminKey !== null && (adminKey.length < 16 || /\s/.test(adminKey))) {
    throw invalid('HOOKWIRE_ADMIN_KEY must be at least 16 characters without spaces');
  }
  const encryptionKey = env.HOOKWIRE_ENCRYPTION_KEY ? env.HOOKWIRE_ENCRYPTION_KEY : null;
  if (encryptionKey !== null && encryptionKey.length < 16) {
    throw invalid('HOOKWIRE_ENCRYPTION_KEY must be at least 16 characters long');
  }

  const dev = parseBool(flags.dev || pick(undefined, env, 'HOOKWIRE_DEV'), 'HOOKWIRE_DEV (--dev)', false);
  const demo = parseBool(
    flags.demo || pick(undefined, env, 'HOOKWIRE_DEMO'),
    'HOOKWIRE_DEMO (--demo)',
    false,
  );
  if (demo && !dev) {
    throw invalid('--demo (HOOKWIRE_DEMO) only works in dev mode: add --dev');
  }

  const role = pick(flags.role, env, 'HOOKWIRE_ROLE') ?? 'all';
  if (role !== 'api' && role !== 'worker' && role !== 'all') {
    throw invalid(`HOOKWIRE_ROLE (--role) must be api, worker or all, got ${JSON.stringify(role)}`);
  }

  const dispatchThread = parseBool(
    pick(undefined, env, 'HOOKWIRE_DISPATCH_THREAD'),
    'HOOKWIRE_DISPATCH_THREAD',
    true,
  );

  const plansValue = pick(flags.plans, env, 'HOOKWIRE_PLANS');
  const plans =
    plansValue === undefined ? structuredClone({ ...BUILT_IN_PLANS }) : parsePlans(plansValue, cwd);
  const names = Object.keys(plans);
  const askedPlan = pick(flags['default-plan'], env, 'HOOKWIRE_DEFAULT_PLAN');
  if (askedPlan !== undefined && !(askedPlan in plans)) {
    throw invalid(`HOOKWIRE_DEFAULT_PLAN (--default-plan) "${askedPlan}" is not a plan: ${names.join(', ')}`);
  }
  const defaultPlan = askedPlan ?? ('pro' in plans ? 'pro' : (names[0] as string));

  const logLevel = (pick(flags['log-level'], env, 'HOOKWIRE_LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw invalid(`HOOKWIRE_LOG_LEVEL (--log-level) must be one of ${LOG_LEVELS.join(', ')}`);
  }

  const durability = pick(undefined, env, 'HOOKWIRE_DURABILITY') ?? 'normal';
  if (durability !== 'normal' && durability !== 'full') {
    throw invalid('HOOKWIRE_DURABILITY must be normal or full');
  }

  const publicBaseUrl = pick(flags['public-url'], env, 'HOOKWIRE_PUBLIC_URL') ?? null;
  if (publicBaseUrl !== null) {
    let url: URL;
    try {
      url = new URL(publicBaseUrl);
    } catch {
      throw invalid(`HOOKWIRE_PUBLIC_URL (--public-url) is not a URL: ${JSON.stringify(publicBaseUrl)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw invalid('HOOKWIRE_PUBLIC_URL (--public-url) must be an http(s) URL');
    }
  }

  const uiFrameAncestors = parseOrigins(pick(undefined, env, 'HOOKWIRE_UI_FRAME_ANCESTORS') ?? '');

  const maxPayload = pick(undefined, env, 'HOOKWIRE_MAX_PAYLOAD_BYTES');
  const requestTimeoutMs = parseInteger(
    pick(undefined, env, 'HOOKWIRE_REQUEST_TIMEOUT_MS'),
    'HOOKWIRE_REQUEST_TIMEOUT_MS',
    10_000,
    100,
    120_000,
  );
  const leaseMs = parseInteger(
    pick(undefined, env, 'HOOKWIRE_LEASE_MS'),
    'HOOKWIRE_LEASE_MS',
    3 * requestTimeoutMs + 30_000,
    1000,
    3_600_000,
  );
  if (leaseMs <= requestTimeoutMs) {
    throw invalid(
      'HOOKWIRE_LEASE_MS must be longer than HOOKWIRE_REQUEST_TIMEOUT_MS (an attempt must end inside its lease)',
    );
  }
  return {
    host,
    port,
    dataDir,
    databaseUrl,
    databaseSchema,
    databasePoolSize,
    adminKey,
    encryptionKey,
    dev,
    demo,
    role,
    dispatchThread,
    retentionDays: parseInteger(
      pick(flags['retention-days'], env, 'HOOKWIRE_RETENTION_DAYS'),
      'HOOKWIRE_RETENTION_DAYS (--retention-days)',
      30,
      0,
      36_500,
    ),
    retentionIntervalMs: parseInteger(
      pick(undefined, env, 'HOOKWIRE_RETENTION_INTERVAL_MS'),
      'HOOKWIRE_RETENTION_INTERVAL_MS',
      HOUR,
      1000,
      7 * 86_400_000,
    ),
    plans,
    defaultPlan,
    shutdownTimeoutMs: parseInteger(
      pick(undefined, env, 'HOOKWIRE_SHUTDOWN_TIMEOUT_MS'),
      'HOOKWIRE_SHUTDOWN_TIMEOUT_MS',
      10_000,
      0,
      600_000,
    ),
    requestTimeoutMs,
    leaseMs,
    maxConcurrency: parseInteger(
      pick(undefined, env, 'HOOKWIRE_MAX_CONCURRENCY'),
      'HOOKWIRE_MAX_CONCURRENCY',
      64,
      1,
      10_000,
    ),
    endpointConcurrency: parseInteger(
      pick(undefined, env, 'HOOKWIRE_ENDPOINT_CONCURRENCY'),
      'HOOKWIRE_ENDPOINT_CONCURRENCY',
      4,
      1,
      10_000,
    ),
    claimBatchSize: parseInteger(
      pick(undefined, env, 'HOOKWIRE_CLAIM_BATCH'),
      'HOOKWIRE_CLAIM_BATCH',
      50,
      1,
      1000,
    ),
    pollIntervalMs: parseInteger(
      pick(undefined, env, 'HOOKWIRE_POLL_INTERVAL_MS'),
      'HOOKWIRE_POLL_INTERVAL_MS',
      1000,
      10,
      3_600_000,
    ),
    maxPayloadBytes:
      maxPayload === undefined
        ? undefined
        : parseInteger(maxPayload, 'HOOKWIRE_MAX_PAYLOAD_BYTES', 0, 1024, 64 * 1024 * 1024),
    publicBaseUrl: publicBaseUrl?.replace(/\/+$/, '') ?? null,
    uiFrameAncestors,
    durability,
    logLevel,
  };
}
