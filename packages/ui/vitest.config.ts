import { defineConfig } from 'vitest/config';

// The end-to-end suite drives one browser against one server; its steps share state, so one file at a time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
