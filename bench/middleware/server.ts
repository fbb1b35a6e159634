/**
 * One benchmark target per process (so autocannon never shares its event loop):
 *   tsx middleware/server.ts <node|fastify|express> <bare|hand|hookwire>
 * Prints `listening <port>` once ready.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookReceiver, type NodeRequestLike, readNodeBody } from '@hookwire/events/receiver';
import { createWebhookMiddleware } from '@hookwire/express';
import { hookwire } from '@hookwire/fastify';
import express from 'express';
import Fastify from 'fastify';
import { handVerify } from './hand-verify.js';

const [framework, variant] = process.argv.slice(2);
const SECRET = process.env.BENCH_SECRET ?? '';
const KEY = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
// The same signed request is replayed for seconds, so: wide tolerance and dedupe off (see README).
const TOLERANCE = 86_400;
const options = { secret: SECRET, dedupe: false as const, toleranceSeconds: TOLERANCE };
const OK = '{"received":true}';

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function nodeServer(): Server {
  if (variant === 'hookwire') {
    const receiver = createWebhookReceiver(options);
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
        handVerify(KEY, req.headers, body, TOLERANCE);
      } catch {
        res.writeHead(401).end();
        return;
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(OK);
  });
}

async function fastifyServer(): Promise<Server> {
  const app = Fastify();
  if (variant === 'hookwire') {
    await app.register(hookwire, options);
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
          handVerify(KEY, request.headers, request.body as Buffer, TOLERANCE);
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

function expressServer(): Server {
  const app = express();
  if (variant === 'hookwire') {
    app.post('/webhooks', createWebhookMiddleware(options), (_req, res) => {
      res.type('json').send(OK);
    });
  } else {
    app.post('/webhooks', express.raw({ type: '*/*', limit: '1mb' }), (req, res) => {
      if (variant === 'hand') {
        try {
          handVerify(KEY, req.headers, req.body as Buffer, TOLERANCE);
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

const server =
  framework === 'node' ? nodeServer() : framework === 'fastify' ? await fastifyServer() : expressServer();
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
// Exit cleanly on SIGINT so `node --cpu-prof` can write its profile when profiling a target.
process.on('SIGINT', () => process.exit(0));
