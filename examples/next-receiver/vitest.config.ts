import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // `next build` takes one to two minutes on two cores; `next start` a few seconds.
    hookTimeout: 300_000,
    testTimeout: 30_000,
  },
});
