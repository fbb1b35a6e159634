import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe('the published entry', () => {
  it('points ESM and CJS consumers at the same built dashboard', async () => {
    const esm = (await import('@hookwire/ui')) as { uiAssetsDir: string };
    const cjs = require('@hookwire/ui') as { uiAssetsDir: string };
    expect(cjs.uiAssetsDir).toBe(esm.uiAssetsDir);
    expect(existsSync(join(esm.uiAssetsDir, 'index.html'))).toBe(true);
  });

  it('builds a page with no inline script or style, so a strict CSP can serve it', async () => {
    const { uiAssetsDir } = (await import('@hookwire/ui')) as { uiAssetsDir: string };
    const html = readFileSync(join(uiAssetsDir, 'index.html'), 'utf8');
    expect(html).toMatch(/<script type="module" crossorigin src="\/ui\/assets\/[^"]+\.js"><\/script>/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle="/);
  });
});
