import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { uiAssetsDir } from '@hookwire/ui';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, problemBody } from './problem.js';

/**
 * Headers of every dashboard response. The dashboard loads only its own hashed files and talks only to this
 * origin's API, so the CSP can forbid everything else: no inline script or style, no other origin, no
 * plugins, and no framing by other sites unless the operator lists them (the dashboard has destructive
 * buttons; clickjacking them would need a frame). `no-referrer` keeps dashboard URLs out of other sites' logs.
 */
function securityHeaders(frameAncestors: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {
    'content-security-policy':
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
      `font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors ${["'self'", ...frameAncestors].join(' ')}`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
  };
  // X-Frame-Options cannot name other origins; browsers that know `frame-ancestors` ignore it anyway, so it is
  // only sent when it says the same thing as the CSP (old browsers then fall back to same-origin only).
  if (frameAncestors.length === 0) {
    headers['x-frame-options'] = 'SAMEORIGIN';
  }
  return headers;
}

/** Options of {@link registerUi}. */
export interface UiOptions {
  /** Built dashboard files; default the installed `@hookwire/ui` package's. */
  root?: string;
  /** Origins besides this one allowed to frame the dashboard (an app embedding a portal link). */
  frameAncestors?: readonly string[];
}

/** Vite puts content-hashed files under assets/: their name changes with their content. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

function problem(req: FastifyRequest, reply: FastifyReply, err: ApiError): FastifyReply {
  const path = req.url.split('?')[0] ?? req.url;
  return reply
    .code(err.status)
    .type('application/problem+json')
    .send(problemBody(err, req.id, path));
}

/**
 * Serves the `@hookwire/ui` dashboard at `/ui`: hashed assets from `/ui/assets/*`, and `index.html` for
 * `/ui`, `/ui/` and any other `/ui/*` path (the app routes in the browser). Not part of the OpenAPI
 * document: these are static files, and the dashboard itself only calls the spec's operations.
 *
 * When the package was installed without its build (no `index.html`), `/ui` answers 503 with a problem that
 * says so, instead of the server refusing to start.
 */
export async function registerUi(app: FastifyInstance, options: UiOptions = {}): Promise<void> {
  const root = options.root ?? uiAssetsDir;
  const headers = Object.entries(securityHeaders(options.frameAncestors ?? []));
  const withSecurityHeaders = (reply: FastifyReply): FastifyReply => {
    for (const [name, value] of headers) {
      reply.header(name, value);
    }
    return reply;
  };
  const built = existsSync(join(root, 'index.html'));
  if (!built) {
    const missing = async (req: FastifyRequest, reply: FastifyReply) =>
      problem(
        req,
        reply,
        new ApiError('SERVICE_UNAVAILABLE', 'The dashboard is not built: run `pnpm build`.'),
      );
    app.get('/ui', missing);
    app.get('/ui/*', missing);
    return;
  }
  const assetsDir = join(root, 'assets', '');
  await app.register(fastifyStatic, {
    root,
    prefix: '/ui/',
    // index.html is sent by the routes below, with no-cache, so a new build is picked up at once.
    index: false,
    wildcard: false,
    serveDotFiles: false,
    // Runs for every file sent, index.html included (@fastify/static 10 passes the reply).
    setHeaders: (reply, path) => {
      withSecurityHeaders(reply).header('cache-control', path.startsWith(assetsDir) ? IMMUTABLE : 'no-cache');
    },
  });
  const sendIndex = async (_req: unknown, reply: FastifyReply) => reply.sendFile('index.html', root);
  app.get('/ui', sendIndex);
  // `wildcard: false` registered one route per file found at start-up; everything else under /ui/ is a
  // dashboard route, except a missing asset, which stays a 404 (a stale tab must not get HTML as script).
  app.get('/ui/*', async (req, reply) => {
    if (req.url.startsWith('/ui/assets/')) {
      return problem(
        req,
        withSecurityHeaders(reply),
        new ApiError(
          'NOT_FOUND',
          'This dashboard file does not exist; reload the page to get the current build.',
        ),
      );
    }
    return sendIndex(req, reply);
  });
}
