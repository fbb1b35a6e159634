import type { components } from './generated/schema.js';

/** Every error code the server documents (the `Problem.code` enum of `openapi/hookwire.yaml`). */
export type ProblemCode = components['schemas']['ProblemCode'];

/** An RFC 9457 problem document as the server sends it. */
export type Problem = components['schemas']['Problem'];

/** One entry of a `VALIDATION_FAILED` problem's `errors`. */
export type ValidationIssue = components['schemas']['ValidationError'];

/**
 * The code of a {@link HookwireApiError}: a documented {@link ProblemCode}, `UNEXPECTED_RESPONSE` when the
 * answer was not a problem document (e.g. an HTML page from a proxy), or a code added by a newer server.
 */
// `string & {}` keeps editor completion for the known codes while accepting codes a newer server adds.
export type ApiErrorCode = ProblemCode | 'UNEXPECTED_RESPONSE' | (string & {});

/** Codes of a {@link HookwireNetworkError}. */
export type NetworkErrorCode = 'NETWORK_ERROR' | 'TIMEOUT';

/** Details the client collects about a failed API call. */
export interface HookwireApiErrorInit {
  status: number;
  code: ApiErrorCode;
  title: string;
  detail: string | undefined;
  requestId: string | undefined;
  errors: ValidationIssue[];
  invalid: string[];
  /** The parsed problem, or `undefined` when the body was not a problem document. */
  problem: Problem | undefined;
  /** Milliseconds from `Retry-After`, when the server sent one. */
  retryAfterMs: number | undefined;
  method: string;
  url: string;
}

/**
 * The server answered with an error status. Branch on `code` (stable), never on the message.
 *
 * @example
 * try {
 *   await hw.webhooks.create({ url, events: ['click'] });
 * } catch (e) {
 *   if (isHookwireApiError(e) && e.code === 'INVALID_EVENTS') console.log(e.invalid); // ['click']
 * }
 */
export class HookwireApiError extends Error {
  override readonly name = 'HookwireApiError';
  /** HTTP status. */
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly title: string;
  /** What happened and what to do, from the server. */
  readonly detail: string | undefined;
  /** The server's request id: quote it in bug reports. */
  readonly requestId: string | undefined;
  /** `VALIDATION_FAILED`: one entry per invalid value (`path` is a JSON Pointer). Empty otherwise. */
  readonly errors: ValidationIssue[];
  /** `INVALID_EVENTS`: the rejected event names. Empty otherwise. */
  readonly invalid: string[];
  readonly problem: Problem | undefined;
  readonly retryAfterMs: number | undefined;
  readonly method: string;
  readonly url: string;

  constructor(init: HookwireApiErrorInit, options?: { cause?: unknown }) {
    const where = `${init.method} ${init.url}`;
    const about = init.detail ? `${init.title}: ${init.detail}` : init.title;
    const request = init.requestId ? `, request ${init.requestId}` : '';
    super(`${about} (${init.code}, HTTP ${init.status} from ${where}${request})`, options);
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.requestId = init.requestId;
    this.errors = init.errors;
    this.invalid = init.invalid;
    this.problem = init.problem;
    this.retryAfterMs = init.retryAfterMs;
    this.method = init.method;
    this.url = init.url;
  }
}

/**
 * No answer arrived: the connection failed (`NETWORK_ERROR`) or the attempt ran out of time (`TIMEOUT`,
 * see the `timeoutMs` option). Thrown after the retries, if any, are spent.
 */
export class HookwireNetworkError extends Error {
  override readonly name = 'HookwireNetworkError';
  readonly code: NetworkErrorCode;
  readonly method: string;
  readonly url: string;

  constructor(
    code: NetworkErrorCode,
    init: { method: string; url: string; message: string },
    options?: { cause?: unknown },
  ) {
    super(init.message, options);
    this.code = code;
    this.method = init.method;
    this.url = init.url;
  }
}

/** Type guard that survives duplicate installs of the package (compares the name, not the prototype). */
export const isHookwireApiError = (e: unknown): e is HookwireApiError =>
  e instanceof Error && e.name === 'HookwireApiError';

/** Type guard that survives duplicate installs of the package (compares the name, not the prototype). */
export const isHookwireNetworkError = (e: unknown): e is HookwireNetworkError =>
  e instanceof Error && e.name === 'HookwireNetworkError';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds; `undefined` when absent or invalid. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') {
    return undefined;
  }
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    return Number(trimmed) * 1000;
  }
  // HTTP-date (RFC 9110 §5.6.7) always starts with a day name; Date.parse alone would also accept "-5" or "1.5".
  if (!/^[A-Za-z]{3,9},? /.test(trimmed)) {
    return undefined;
  }
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Builds the error for a non-2xx answer from its (already parsed) body. */
export function apiErrorFromResponse(response: Response, body: unknown, method: string): HookwireApiError {
  const problem = isRecord(body) && typeof body.code === 'string' ? (body as Problem) : undefined;
  const requestId =
    (problem && typeof problem.requestId === 'string' ? problem.requestId : undefined) ??
    response.headers.get('x-request-id') ??
    undefined;
  const errors = problem && Array.isArray(problem.errors) ? problem.errors : [];
  const invalid =
    problem && Array.isArray(problem.invalid) ? problem.invalid.filter((n) => typeof n === 'string') : [];
  const text = typeof body === 'string' && body.length > 0 ? body.slice(0, 200) : undefined;
  return new HookwireApiError({
    status: response.status,
    code: problem?.code ?? 'UNEXPECTED_RESPONSE',
    title: problem?.title ?? (response.statusText || `HTTP ${response.status}`),
    detail: problem ? problem.detail : text,
    requestId,
    errors,
    invalid,
    problem,
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    method,
    url: response.url,
  });
}
