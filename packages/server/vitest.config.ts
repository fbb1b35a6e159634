import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Fixed fast-check seed in CI, fresh draws locally (see the file).
    setupFiles: ['../../vitest.setup.ts'],
  },
});
