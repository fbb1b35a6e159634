/*
 * Shared vitest setup for every package with property tests (packages' vitest.config.ts list it in setupFiles).
 *
 * CI runs every property with one fixed seed: a red run must be reproducible, and a random draw that finds a
 * new counterexample must not turn an unrelated merge red (it did once: 0000-02-29 in @hookwire/events).
 * Locally each run draws fresh inputs, which is how such bugs are found; fast-check prints the seed of any
 * failure, and FC_SEED=<seed> replays it (CI included).
 */
import fc from 'fast-check';

const CI_SEED = 20_261_123;

const fromEnv = process.env.FC_SEED;
const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : process.env.CI ? CI_SEED : undefined;

if (seed !== undefined) {
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(fromEnv)}`);
  }
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
}
