import { defineConfig } from 'tsup';
import { base } from '../../tsup.config.base.js';

// The Node entry only exports where the built dashboard lives; `vite build` writes the dashboard itself to
// dist/app afterwards. `shims` gives the CJS build a working `import.meta.url`.
export default defineConfig({ ...base, shims: true });
