import type { FieldError } from './spec.js';

/** Every `code` of the spec's `ProblemCode` enum, with its HTTP status and fixed title. */
export const PROBLEMS = {
  UNAUTHORIZED: { status: 401, title: 'Unauthorized' },
  INVALID_TOKEN: { status: 401, title: 'Invalid token' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  QUOTA_EXCEEDED: { status: 403, title: 'Quota exceeded' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  VALIDATION_FAILED: { status: 400, title: 'Validation failed' },
  INVALID_EVENTS: { status: 400, title: 'Invalid event types' },
  INVALID_CURSOR: { status: 400, title: 'Invalid cursor' },
  INSECURE_URL: { status: 400, title: 'Insecure URL' },
  BLOCKED_URL: { status: 400, title: 'Blocked URL' },
  INVALID_HEADER: { status: 400, title: 'Invalid header' },
  CONFLICT: { status: 409, title: 'Conflict' },
  IDEMPOTENCY_CONFLICT: { status: 409, title: 'Idempotency conflict' },
  ENDPOINT_DISABLED: { status: 409, title: 'Endpoint disabled' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  RATE_LIMITED: { status: 429, title: 'Rate limited' },
  INTERNAL_ERROR: { status: 500, title: 'Internal error' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'Service unavailable' },
} as const;

/** A stable error code of the HTTP API (the spec's `ProblemCode`). */
export type ProblemCode = keyof typeof PROBLEMS;

/** RFC 9457 problem details as the API sends them. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: ProblemCode;
  requestId: string;
  errors?: FieldError[];
  invalid?: string[];
}

/**
 * An error that becomes one `application/problem+json` response. Handlers throw it; the app's error
 * handler renders it with the request id and path.
 *
 * @example throw new ApiError('NOT_FOUND', `Webhook ${id} does not exist.`)
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ProblemCode;
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  readonly invalid: string[] | undefined;
  readonly headers: Record<string, string>;
  constructor(
    code: ProblemCode,
    detail: string,
    extra: {
      errors?: FieldError[];
      invalid?: string[];
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(detail, { cause: extra.cause });
    this.code = code;
    this.status = PROBLEMS[code].status;
    this.errors = extra.errors;
    this.invalid = extra.invalid;
    this.headers = extra.headers ?? {};
  }
}

/** `VALIDATION_FAILED` with one entry per problem; the detail names the first. */
export function validationFailed(errors: FieldError[], where = 'The request'): ApiError {
  const first = errors[0];
  const detail = first
    ? `${where} is invalid: ${first.path || 'the body'} ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}.`
    : `${where} is invalid.`;
  return new ApiError('VALIDATION_FAILED', detail, { errors });
}

const kebab = (code: string) => code.toLowerCase().replaceAll('_', '-');

// `instance` must be a URI reference; a path that is not one (stray `%`, spaces) is left out.
const URI_PATH = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;

/** The JSON body of a problem response. */
export function problemBody(err: ApiError, requestId: string, instance: string | undefined): ProblemBody {
  const def = PROBLEMS[err.code];
  return {
    type: `https://hookwire.dev/problems/${kebab(err.code)}`,
    title: def.title,
    status: def.status,
    detail: err.message,
    ...(instance !== undefined && URI_PATH.test(instance) ? { instance } : {}),
    code: err.code,
    requestId,
    ...(err.errors ? { errors: err.errors } : {}),
    ...(err.invalid ? { invalid: err.invalid } : {}),
  };
}
