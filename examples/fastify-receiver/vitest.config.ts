import { defineConfig } from 'vitest/config';

// The e2e test starts the real server as a child process; give it time to boot on a shared machine.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
});
