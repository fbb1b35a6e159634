import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Fixed fast-check seed in CI, fresh draws locally (see the file).
    setupFiles: ['../../vitest.setup.ts'],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'text'],
      // Measured 99.5 % lines / 96.9 % branches; the rest are runtime-only fallbacks (no node:crypto,
      // SharedArrayBuffer bodies, cache eviction) exercised by the edge-runtime test outside v8 coverage.
      thresholds: { statements: 99, branches: 96, functions: 100, lines: 99 },
    },
  },
});
