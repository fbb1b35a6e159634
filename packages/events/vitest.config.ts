import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Fixed fast-check seed in CI, fresh draws locally (see the file).
    setupFiles: ['../../vitest.setup.ts'],
    // Type tests (test/*.test-d.ts) pin the catalog inference: `on('link.clik', ...)` must not compile.
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
