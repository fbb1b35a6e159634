/**
 * `@hookwire/next/app`: the App Router entry (same exports as `@hookwire/next`), for symmetry with
 * `@hookwire/next/pages`. Edge-safe: no `node:` imports.
 * @module
 */
export * from './index.js';
