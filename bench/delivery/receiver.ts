/**
 * The benchmark's receiver, in its own process: answers 204 to every POST (or never answers, in "paused"
 * mode, to hold the dispatcher's requests open), counts requests and distinct webhook-ids, and reports them
 * over IPC when the parent sends 'count'.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const paused = process.argv[2] === 'paused';
let requests = 0;
const ids = new Set<string>();
let firstAt = 0;
let lastAt = 0;

const server = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    requests++;
    const id = req.headers['webhook-id'];
    if (typeof id === 'string') {
      ids.add(id);
    }
    lastAt = performance.timeOrigin + performance.now();
    firstAt ||= lastAt;
    if (!paused) {
      res.statusCode = 204;
      res.end();
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('message', (m) => {
  if (m === 'count') {
    process.send?.({ requests, unique: ids.size, firstAt, lastAt });
  } else if (m === 'reset') {
    requests = 0;
    ids.clear();
    firstAt = 0;
    lastAt = 0;
    process.send?.({ reset: true });
  }
});
process.on('disconnect', () => process.exit(0));
