import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// README snippets are copies of the example app, which is built and tested end to end (STYLE A1): this
// fails when one of them drifts.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = (path: string) =>
  readFileSync(new URL(`../../../examples/next-receiver/${path}`, import.meta.url), 'utf8').trimEnd();

describe('README', () => {
  it.each(['app/api/webhooks/route.ts', 'app/api/webhooks-edge/route.ts', 'pages/api/webhooks-pages.ts'])(
    'quotes %s verbatim',
    (path) => {
      expect(readme).toContain(example(path));
    },
  );
});
