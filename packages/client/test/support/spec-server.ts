import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type LoadedSpec, loadSpec, type SpecOperation } from './spec.js';

/** A request as the server saw it. */
export interface RecordedRequest {
  operationId: string | undefined;
  method: string;
  /** Path and query. */
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A scripted answer for the next call of an operation. */
export type Scripted =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { hang: true }
  | { destroy: true };

export interface SpecServer {
  url: string;
  spec: LoadedSpec;
  requests: RecordedRequest[];
  /** Requests that broke the spec, described; tests assert this stays empty. */
  violations: string[];
  /** Queues answers for the next calls of `operationId` (then the spec example is used again). */
  script(operationId: string, ...answers: Scripted[]): void;
  close(): Promise<void>;
}

const coerce = (schema: Record<string, unknown>, raw: string): unknown => {
  const type = schema.type;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(raw)) {
    return Number(raw);
  }
  if (type === 'boolean' && (raw === 'true' || raw === 'false')) {
    return raw === 'true';
  }
  return raw;
};

/** Checks a request against the operation; returns every problem found. */
function check(
  spec: LoadedSpec,
  op: SpecOperation,
  url: URL,
  headers: Record<string, string>,
  text: string,
  match: RegExpExecArray,
): { problems: string[]; body: unknown } {
  const problems: string[] = [];
  const ajvProblems = (where: string, schema: Record<string, unknown>, value: unknown): void => {
    for (const e of spec.validate(schema, value)) {
      problems.push(`${where}${e.instancePath} ${e.message ?? 'is invalid'}`);
    }
  };

  op.pathParamNames.forEach((name, i) => {
    const param = op.parameters.find((p) => p.in === 'path' && p.name === name);
    const value = decodeURIComponent(match[i + 1] ?? '');
    if (param) {
      ajvProblems(`path.${name}`, param.schema, value);
    }
  });

  const queryParams = op.parameters.filter((p) => p.in === 'query');
  // Query parameters that carry credentials are declared as security schemes, not parameters.
  const schemes = ((spec.document.components as Record<string, unknown>).securitySchemes ?? {}) as Record<
    string,
    { in?: string; name?: string }
  >;
  const queryCredentials = new Set(
    op.security
      .flatMap((alt) => Object.keys(alt))
      .flatMap((n) => (schemes[n]?.in === 'query' ? [schemes[n]?.name ?? ''] : [])),
  );
  for (const key of new Set(url.searchParams.keys())) {
    const param = queryParams.find((p) => p.name === key);
    if (!param && queryCredentials.has(key)) {
      continue;
    }
    if (!param) {
      problems.push(`query.${key} is not a parameter of ${op.operationId}`);
      continue;
    }
    const values = url.searchParams.getAll(key);
    if (values.length > 1) {
      problems.push(`query.${key} given ${values.length} times`);
    }
    ajvProblems(`query.${key}`, param.schema, coerce(param.schema, values[0] ?? ''));
  }

  for (const param of op.parameters.filter((p) => p.in === 'header')) {
    const value = headers[param.name.toLowerCase()];
    if (value === undefined) {
      if (param.required) {
        problems.push(`header ${param.name} is required`);
      }
      continue;
    }
    ajvProblems(`header.${param.name}`, param.schema, value);
  }

  // Security: any one alternative must be satisfied (an empty list = open).
  if (op.security.length > 0) {
    const bearer = /^Bearer \S+$/.test(headers.authorization ?? '');
    const ok = op.security.some((alt) =>
      Object.keys(alt).every((name) => {
        if (name === 'apiKey' || name === 'adminKey') {
          return bearer;
        }
        if (name === 'sourceToken') {
          return url.searchParams.has('token');
        }
        if (name === 'sourceTokenHeader') {
          return headers['x-hookwire-token'] !== undefined;
        }
        return false;
      }),
    );
    if (!ok) {
      problems.push(`no credentials for ${op.operationId}`);
    }
  }

  let body: unknown;
  if (text.length > 0) {
    if (!op.requestBody) {
      problems.push(`${op.operationId} takes no body`);
    } else if (!(headers['content-type'] ?? '').startsWith('application/json')) {
      problems.push(`content-type is ${headers['content-type']}, expected application/json`);
    } else {
      try {
        body = JSON.parse(text);
        ajvProblems('body', op.requestBody.schema, body);
      } catch {
        problems.push('body is not JSON');
      }
    }
  } else if (op.requestBody?.required) {
    problems.push(`${op.operationId} requires a body`);
  }
  return { problems, body };
}

/**
 * A node:http server on 127.0.0.1 that knows the Hookwire spec: it validates every request (path, query,
 * headers, auth, body) with ajv and answers with the spec's own examples, or with scripted answers (errors,
 * a hang for timeouts, a dropped connection for network errors).
 */
export async function startSpecServer(): Promise<SpecServer> {
  const spec = loadSpec();
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const scripts = new Map<string, Scripted[]>();
  const sockets = new Set<Socket>();
  let counter = 0;

  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    type: string,
    headers: Record<string, string> = {},
  ): void => {
    res.writeHead(status, {
      'x-request-id': `req_test${String(++counter).padStart(20, '0')}`,
      ...headers,
      ...(body === undefined ? {} : { 'content-type': type }),
    });
    res.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      headers[k] = Array.isArray(v) ? v.join(', ') : (v ?? '');
    }
    const method = req.method ?? 'GET';
    let op: SpecOperation | undefined;
    let match: RegExpExecArray | null = null;
    for (const candidate of spec.operations) {
      match = candidate.method === method ? candidate.pattern.exec(url.pathname) : null;
      if (match) {
        op = candidate;
        break;
      }
    }
    const record: RecordedRequest = {
      operationId: op?.operationId,
      method,
      url: url.pathname + url.search,
      headers,
      body: undefined,
    };
    requests.push(record);

    if (!op || !match) {
      violations.push(`${method} ${url.pathname} is not in the spec`);
      send(
        res,
        404,
        { type: 'about:blank', title: 'Not found', status: 404, code: 'NOT_FOUND', requestId: 'req_test' },
        'application/problem+json',
      );
      return;
    }
    const { problems, body } = check(spec, op, url, headers, text, match);
    record.body = body ?? (text.length > 0 ? text : undefined);
    if (problems.length > 0) {
      violations.push(...problems.map((p) => `${op.operationId}: ${p}`));
      send(
        res,
        400,
        {
          type: 'https://hookwire.dev/problems/validation-failed',
          title: 'Validation failed',
          status: 400,
          code: 'VALIDATION_FAILED',
          requestId: 'req_test',
          errors: problems.map((message) => ({ path: '', message })),
        },
        'application/problem+json',
      );
      return;
    }

    const queued = scripts.get(op.operationId)?.shift();
    if (queued) {
      if ('hang' in queued) {
        return; // Never answer; the socket is destroyed on close().
      }
      if ('destroy' in queued) {
        req.socket.destroy();
        return;
      }
      const type = queued.status >= 400 ? 'application/problem+json' : 'application/json';
      send(res, queued.status, queued.body, type, queued.headers);
      return;
    }
    const success = op.responses.find((r) => r.status >= 200 && r.status < 300);
    if (!success) {
      throw new Error(`${op.operationId} has no 2xx response in the spec`);
    }
    send(
      res,
      success.status,
      success.contentType ? success.examples[0] : undefined,
      success.contentType ?? 'application/json',
    );
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      violations.push(`server error: ${String(error)}`);
      if (!res.headersSent) {
        send(res, 500, { code: 'INTERNAL_ERROR' }, 'application/problem+json');
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    spec,
    requests,
    violations,
    script(operationId, ...answers) {
      if (!spec.operations.some((o) => o.operationId === operationId)) {
        throw new Error(`unknown operationId ${operationId}`);
      }
      scripts.set(operationId, [...(scripts.get(operationId) ?? []), ...answers]);
    },
    close() {
      for (const socket of sockets) {
        socket.destroy();
      }
      return new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
