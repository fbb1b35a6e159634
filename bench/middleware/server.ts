/**
 * One benchmark target per process (so autocannon never shares its event loop):
 *   tsx middleware/server.ts <node|fastify|express> <bare|hand|hookwire>
 * Prints `listening <port>` once ready.
 */
import type { AddressInfo } from 'node:net';
import { createTarget, type Framework, type Variant } from './targets.js';

const [framework, variant] = process.argv.slice(2) as [Framework, Variant];
const server = await createTarget(framework, variant, process.env.BENCH_SECRET ?? '');
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
// Exit cleanly on SIGINT so `node --cpu-prof` can write its profile when profiling a target.
process.on('SIGINT', () => process.exit(0));
