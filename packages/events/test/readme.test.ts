import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const quickstart = /<!-- quickstart[^>]*-->\n```ts\n([\s\S]*?)```\n<!-- \/quickstart -->/.exec(readme)?.[1];
const built = existsSync(new URL('../dist/index.js', import.meta.url));

describe('README quickstart', () => {
  it('is at most 15 lines', () => {
    expect(quickstart).toBeDefined();
    expect(quickstart!.trimEnd().split('\n').length).toBeLessThanOrEqual(15);
  });

  // Runs the block as written against the built package (resolved by its own name through `exports`).
  it.skipIf(!built)('runs and prints the validated event', () => {
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', quickstart!], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(output).toMatch(/^link\.click msg_1 \{ link_id: 'lnk_abc', country: 'US' \}\n$/);
  });
});
