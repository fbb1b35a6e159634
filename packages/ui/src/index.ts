import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the built dashboard (index.html plus hashed assets under `assets/`), for a server that
 * serves it as static files. `@hookwire/server` mounts it at `/ui`.
 *
 * @example
 * import { uiAssetsDir } from '@hookwire/ui';
 * await app.register(fastifyStatic, { root: uiAssetsDir, prefix: '/ui/' });
 */
export const uiAssetsDir: string = join(dirname(fileURLToPath(import.meta.url)), 'app');

/** The path prefix the dashboard is built for (its asset URLs start with it). */
export const UI_BASE_PATH = '/ui/';
