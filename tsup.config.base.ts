import type { Options } from 'tsup';

/**
 * Shared build settings: every package ships ESM + CJS + .d.ts/.d.cts from one place,
 * so a later move to tsdown touches this file only.
 */
export const base = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: false,
  treeshake: true,
} satisfies Options;
