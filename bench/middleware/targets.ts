/**
 * The benchmark targets, one HTTP server per (framework, variant): the bare route that only reads the raw
 * body, hand-written verification, and our adapter. Shared by `server.ts` (one target per process, driven by
 * autocannon) and `inproc.ts` (per-request CPU cost, driven by a fixed number of requests).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createWebhookReceiver, type NodeRequestLike, readNodeBody } from '@hookwire/events/receiver';
import { createWebhookMiddleware } from '@hookwire/express';
import { hookwire } from '@hookwire/fastify';
import express from 'express';
import Fastify from 'fastify';
import { handVerify } from './hand-verify.js';

export const frameworks = ['node', 'fastify', 'express'] as const;
export const variants = ['bare', 'hand', 'hookwire'] as const;
export type Framework = (typeof frameworks)[number];
export type Variant = (typeof variants)[number];

// The same signed request is replayed for seconds, so: wide tolerance and dedupe off (see README).
const TOLERANCE = 86_400;
const OK = '{"received":true}';

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function nodeServer(variant: Variant, secret: string, key: Buffer): Server {
  if (variant === 'hookwire') {
    const receiver = createWebhookReceiver({ secret, dedupe: false, toleranceSeconds: TOLERANCE });
    const handler = () => undefined;
    return createServer(async (req, res) => {
      let response: { status: number; headers: Record<string, string>; body: string };
      try {
        const body = await readNodeBody(req as unknown as NodeRequestLike, receiver.maxBodyBytes);
        const result = await receiver.receive({ body, headers: req.headers });
        response = result.ok ? await receiver.run(result, handler) : result.response;
      } catch (error) {
        response = receiver.reject(error);
      }
      res.writeHead(response.status, response.headers).end(response.body);
    });
  }
  return createServer(async (req, res) => {
    const body = await readAll(req);
    if (variant === 'hand') {
      try {
        handVerify(key, req.headers, body, TOLERANCE);
      } catch {
        res.writeHead(401).end();
        return;
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(OK);
  });
}

async function fastifyServer(variant: Variant, secret: string, key: Buffer): Promise<Server> {
  const app = Fastify();
  if (variant === 'hookwire') {
    await app.register(hookwire, { secret, dedupe: false, toleranceSeconds: TOLERANCE });
    app.post('/webhooks', { config: { webhook: true } }, async (_request, reply) =>
      reply.header('content-type', 'application/json').send(OK),
    );
  } else {
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    );
    app.post('/webhooks', async (request, reply) => {
      if (variant === 'hand') {
        try {
          handVerify(key, request.headers, request.body as Buffer, TOLERANCE);
        } catch {
          return reply.code(401).send();
        }
      }
      return reply.header('content-type', 'application/json').send(OK);
    });
  }
  await app.ready();
  return app.server;
}

function expressServer(variant: Variant, secret: string, key: Buffer): Server {
  const app = express();
  if (variant === 'hookwire') {
    app.post(
      '/webhooks',
      createWebhookMiddleware({ secret, dedupe: false, toleranceSeconds: TOLERANCE }),
      (_req, res) => {
        res.type('json').send(OK);
      },
    );
  } else {
    app.post('/webhooks', express.raw({ type: '*/*', limit: '1mb' }), (req, res) => {
      if (variant === 'hand') {
        try {
          handVerify(key, req.headers, req.body as Buffer, TOLERANCE);
        } catch {
          res.status(401).end();
          return;
        }
      }
      res.type('json').send(OK);
    });
  }
  return createServer(app);
}

/** Builds the target (not yet listening). `secret` is a `whsec_` secret; the hand-written route decodes it. */
export async function createTarget(framework: Framework, variant: Variant, secret: string): Promise<Server> {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  if (framework === 'node') {
    return nodeServer(variant, secret, key);
  }
  return framework === 'fastify' ? fastifyServer(variant, secret, key) : expressServer(variant, secret, key);
}
