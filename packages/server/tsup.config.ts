import { defineConfig } from 'tsup';
import { base } from '../../tsup.config.base.js';

export default defineConfig([
  { ...base },
  // The `hookwire` binary: ESM only, no types, run by node directly.
  {
    ...base,
    // dispatch-thread: the worker-thread entry `hookwire serve` starts next to itself (SQLite, role all);
    // checkpoint-thread: the one the dispatch thread starts for WAL checkpoints.
    entry: {
      cli: 'src/cli.ts',
      'dispatch-thread': 'src/runtime/dispatch-thread.ts',
      'checkpoint-thread': 'src/runtime/checkpoint-thread.ts',
    },
    format: ['esm'],
    dts: false,
    clean: false,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
