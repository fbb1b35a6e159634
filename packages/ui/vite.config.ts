import { defineConfig } from 'vite';

// The dashboard is served by the delivery server under /ui/, so every asset URL starts there.
// `pnpm --filter @hookwire/ui dev` proxies the API to a server on HOOKWIRE_URL (default 127.0.0.1:8080).
const target = process.env.HOOKWIRE_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: 'app',
  base: '/ui/',
  // Preact's automatic JSX runtime through esbuild: no Babel preset needed.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: '../dist/app',
    emptyOutDir: true,
    target: 'es2022',
    // No inline scripts or styles anywhere, so the server's CSP can forbid them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': target,
      '/healthz': target,
    },
  },
});
