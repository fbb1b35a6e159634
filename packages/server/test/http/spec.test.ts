import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { openapiDocument } from '../../src/http/generated/openapi.js';
import { createHarness, type Harness, operations } from './support.js';

const here = fileURLToPath(new URL('.', import.meta.url));

describe('the OpenAPI document', () => {
  it('the embedded copy equals openapi/hookwire.yaml (run scripts/generate-openapi.mjs after editing it)', () => {
    const yaml = parse(
      readFileSync(fileURLToPath(new URL('../../../../openapi/hookwire.yaml', import.meta.url)), 'utf8'),
    );
    expect(openapiDocument).toEqual(yaml);
  });

  it('has 42 operations, each with a unique operationId', () => {
    const ids = operations.map((op) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(42);
  });
});

describe('operation coverage', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  }, 60_000);
  afterAll(async () => {
    await h.close();
  }, 60_000);

  it('every operation has a route', () => {
    const missing = operations.filter(
      (op) => !h.app.hasRoute({ method: op.method as 'GET', url: op.path.replace(/\{([^}]+)\}/g, ':$1') }),
    );
    expect(missing.map((op) => op.operationId)).toEqual([]);
  });

  it('every operation is called by a test through the spec-checking helper', () => {
    // `h.call('<operationId>', ...)` validates the response against the spec; find every such call.
    const called = new Set<string>();
    for (const file of readdirSync(here).filter((f) => f.endsWith('.test.ts'))) {
      for (const m of readFileSync(`${here}/${file}`, 'utf8').matchAll(/\bcall\(\s*'([A-Za-z]+)'/g)) {
        called.add(m[1] as string);
      }
    }
    const untested = operations.map((op) => op.operationId).filter((id) => !called.has(id));
    expect(untested).toEqual([]);
  });

  it('GET /openapi.json serves the document', async () => {
    const r = await h.call('getOpenApiDocument');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(openapiDocument);
  });
});
