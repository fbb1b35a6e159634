/**
 * A response the receiver wants to send, in a shape every adapter can write without a conversion layer
 * (fetch `Response`, Express `res`, Fastify `reply`).
 */
export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One validation issue, as reported in a `400 invalid_data` problem body. */
export interface ProblemIssue {
  /** Path into `data` (`[]` for the root), e.g. `["country"]`. */
  path: (string | number)[];
  message: string;
}

/**
 * The `application/problem+json` document (RFC 9457) every failure is answered with. `code` is the same
 * stable code the thrown error carries, so a sender's delivery log says exactly what went wrong.
 */
export interface WebhookProblem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  issues?: ProblemIssue[];
}

/** Base of the `type` URI; one page per code in the docs. */
export const PROBLEM_TYPE_BASE = 'https://hookwire.dev/problems/';

/** Builds a problem+json response. The detail never contains secrets or stack traces. */
export function problemResponse(
  status: number,
  code: string,
  title: string,
  detail: string,
  extra?: { issues?: ProblemIssue[]; headers?: Record<string, string> },
): WebhookResponse {
  const problem: WebhookProblem = { type: PROBLEM_TYPE_BASE + code, title, status, detail, code };
  if (extra?.issues) {
    problem.issues = extra.issues;
  }
  return {
    status,
    headers: { 'content-type': 'application/problem+json', ...extra?.headers },
    body: JSON.stringify(problem),
  };
}

/** A small JSON success body, e.g. `{ "received": true }`. */
export function jsonResponse(status: number, value: unknown): WebhookResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

/** Success bodies are constants: built once, never per request (the hot path of every delivery). */
export const RECEIVED = {
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: '{"received":true}',
} as const;
export const UNHANDLED = {
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: '{"received":true,"handled":false}',
} as const;
export const DUPLICATE = {
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: '{"received":true,"duplicate":true}',
} as const;

/** Converts a {@link WebhookResponse} to a fetch `Response`. */
export function toFetchResponse(response: WebhookResponse): Response {
  return new Response(response.body, { status: response.status, headers: response.headers });
}
