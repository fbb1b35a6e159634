import { defineConfig } from 'tsup';
import { base } from '../../tsup.config.base.js';

export default defineConfig([
  { ...base },
  // The `hookwire` binary: ESM only, no types, run by node directly.
  {
    ...base,
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
