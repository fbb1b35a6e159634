import type { StandardSchemaV1 } from '@standard-schema/spec';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Catalog, defineCatalog, isInvalidEventsError, type ValidationIssue } from '../src/index.js';

/** The same `link.click` contract in each schema language: link_id string, country 2 letters, tags strings. */
const jsonSchema = {
  type: 'object',
  properties: {
    link_id: { type: 'string' },
    country: { type: 'string', minLength: 2, maxLength: 2 },
    tags: { type: 'array', items: { type: 'string' } },
    geo: { type: 'object', properties: { lat: { type: 'number' } }, required: ['lat'] },
  },
  required: ['link_id', 'country'],
} as const;

const zodCatalog = defineCatalog({
  'link.click': z.object({
    link_id: z.string(),
    country: z.string().length(2),
    tags: z.array(z.string()).optional(),
    geo: z.object({ lat: z.number() }).optional(),
  }),
});
const valibotCatalog = defineCatalog({
  'link.click': v.object({
    link_id: v.string(),
    country: v.pipe(v.string(), v.length(2)),
    tags: v.optional(v.array(v.string())),
    geo: v.optional(v.object({ lat: v.number() })),
  }),
});
const arktypeCatalog = defineCatalog({
  'link.click': type({
    link_id: 'string',
    country: 'string == 2',
    'tags?': 'string[]',
    'geo?': { lat: 'number' },
  }),
});
const jsonSchemaCatalog = defineCatalog({ 'link.click': jsonSchema });

// A list mixing catalogs also pins a TS2589 regression (see the comment on defineCatalog's return type).
const implementations: [string, Catalog][] = [
  ['zod 4', zodCatalog],
  ['valibot', valibotCatalog],
  ['arktype', arktypeCatalog],
  ['JSON Schema', jsonSchemaCatalog],
];

const paths = (issues: ValidationIssue[]) => issues.map((i) => JSON.stringify(i.path)).sort();

for (const [name, catalog] of implementations) {
  describe(`catalog with ${name}`, () => {
    it('accepts valid data and returns the value', async () => {
      const data = { link_id: 'lnk_abc', country: 'US', tags: ['a'] };
      expect(await catalog.validate('link.click', data)).toEqual({ ok: true, value: data });
    });

    it('returns every issue with its path', async () => {
      const result = await catalog.validate('link.click', {
        country: 'USA',
        tags: ['ok', 7, 'ok', false],
        geo: {},
      });
      expect(result.ok).toBe(false);
      if (result.ok) {
        return;
      }
      expect(paths(result.issues)).toEqual(
        paths([
          { path: ['link_id'], message: '' },
          { path: ['country'], message: '' },
          { path: ['tags', 1], message: '' },
          { path: ['tags', 3], message: '' },
          { path: ['geo', 'lat'], message: '' },
        ]),
      );
      for (const issue of result.issues) {
        expect(issue.message.length).toBeGreaterThan(0);
      }
    });

    it('answers without a promise: the schema validates synchronously (#3)', () => {
      const valid = catalog.validate('link.click', { link_id: 'lnk_abc', country: 'US' });
      const invalid = catalog.validate('link.click', { country: 'USA' });
      expect(valid).not.toBeInstanceOf(Promise);
      expect(invalid).not.toBeInstanceOf(Promise);
      expect(valid).toMatchObject({ ok: true });
      expect(invalid).toMatchObject({
        ok: false,
        issues: expect.arrayContaining([expect.objectContaining({ path: ['link_id'] })]),
      });
    });

    it('reports a non-object at the root', async () => {
      const result = await catalog.validate('link.click', 'nope');
      expect(result).toMatchObject({ ok: false, issues: [{ path: [] }] });
    });

    it('treats unknown types as invalid, naming them', async () => {
      expect(catalog.has('link.click')).toBe(true);
      expect(catalog.has('link.clik')).toBe(false);
      expect(catalog.has('toString')).toBe(false);
      const result = await catalog.validate('link.clik', {});
      expect(result).toEqual({
        ok: false,
        issues: [{ path: [], message: expect.stringContaining('"link.clik"') }],
      });
      expect(catalog.types).toEqual(['link.click']);
    });
  });
}

describe('defineCatalog', () => {
  it('rejects short or malformed event names with INVALID_EVENTS', () => {
    let error: unknown;
    try {
      defineCatalog({ click: jsonSchema, 'Link.Click': jsonSchema, 'link.ok': jsonSchema });
    } catch (e) {
      error = e;
    }
    expect(isInvalidEventsError(error)).toBe(true);
    expect((error as { invalid: string[] }).invalid).toEqual(['click', 'Link.Click']);
  });

  it('rejects entries that are neither kind of schema', () => {
    expect(() => defineCatalog({ 'a.b': 'string' as never })).toThrow(TypeError);
    expect(() => defineCatalog({ 'a.b': null as never })).toThrow(TypeError);
    expect(() => defineCatalog({ 'a.b': [] as never })).toThrow(TypeError);
  });

  it('answers through a promise when the Standard Schema validates asynchronously (#3)', async () => {
    const catalog = defineCatalog({
      'a.zod': z.object({ n: z.number() }).refine(async (d) => d.n > 0, { message: 'n must be positive' }),
      // A hand-written Standard Schema whose validate is always async, as the spec allows.
      'a.custom': {
        '~standard': {
          version: 1,
          vendor: 'test',
          validate: async (value: unknown) =>
            typeof value === 'string'
              ? { value: value.toUpperCase() }
              : { issues: [{ message: 'not a string' }] },
        },
      } as StandardSchemaV1<unknown, string>,
    });
    const pending = catalog.validate('a.zod', { n: 1 });
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toEqual({ ok: true, value: { n: 1 } });
    const refused = catalog.validate('a.zod', { n: -1 });
    expect(refused).toBeInstanceOf(Promise);
    expect(await refused).toEqual({ ok: false, issues: [{ path: [], message: 'n must be positive' }] });
    const custom = catalog.validate('a.custom', 'abc');
    expect(custom).toBeInstanceOf(Promise);
    expect(await custom).toEqual({ ok: true, value: 'ABC' });
    expect(await catalog.validate('a.custom', 1)).toEqual({
      ok: false,
      issues: [{ path: [], message: 'not a string' }],
    });
  });

  it('returns transformed output from Standard Schemas', async () => {
    const catalog = defineCatalog({ 'a.b': z.object({ n: z.string().transform(Number) }) });
    expect(await catalog.validate('a.b', { n: '42' })).toEqual({ ok: true, value: { n: 42 } });
  });

  it('serves JSON Schema: as given, converted from zod/arktype, undefined for valibot', () => {
    const catalog = defineCatalog({
      'a.json': jsonSchema,
      'a.zod': z.object({ x: z.string() }),
      'a.ark': type({ x: 'string' }),
      'a.valibot': v.object({ x: v.string() }),
    });
    expect(catalog.jsonSchema('a.json')).toBe(jsonSchema);
    expect(catalog.jsonSchema('a.zod')).toMatchObject({
      type: 'object',
      properties: { x: { type: 'string' } },
    });
    expect(catalog.jsonSchema('a.ark')).toMatchObject({
      type: 'object',
      properties: { x: { type: 'string' } },
    });
    expect(catalog.jsonSchema('a.valibot')).toBeUndefined();
    expect(catalog.jsonSchema('a.missing')).toBeUndefined();
  });

  it('returns undefined when a Standard Schema cannot be converted', () => {
    const catalog = defineCatalog({ 'a.b': z.object({ d: z.date() }) });
    expect(catalog.jsonSchema('a.b')).toBeUndefined();
  });

  it('does not mutate the JSON Schema it validates with, and works on frozen schemas', async () => {
    const schema = Object.freeze({ type: 'object', required: ['a'] } as const);
    const catalog = defineCatalog({ 'a.b': schema });
    expect(await catalog.validate('a.b', {})).toMatchObject({ ok: false, issues: [{ path: ['a'] }] });
    expect(Object.getOwnPropertyNames(schema)).toEqual(['type', 'required']);
  });

  it('honours the draft named by $schema (draft-04 exclusiveMaximum is a boolean)', async () => {
    const catalog = defineCatalog({
      'a.b': {
        $schema: 'http://json-schema.org/draft-04/schema#',
        type: 'number',
        maximum: 5,
        exclusiveMaximum: true,
      },
    } as never);
    expect((await catalog.validate('a.b', 5)).ok).toBe(false);
    expect((await catalog.validate('a.b', 4)).ok).toBe(true);
  });

  it('reports JSON Schema alternatives, refs, closed objects and escaped keys precisely', async () => {
    const catalog = defineCatalog({
      'a.b': {
        $defs: { id: { type: 'string' } },
        type: 'object',
        properties: {
          id: { $ref: '#/$defs/id' },
          'a/b c~': { type: 'integer' },
          either: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
          closed: { type: 'object', properties: { x: {} }, additionalProperties: false },
        },
      },
    });
    const result = await catalog.validate('a.b', {
      id: 1,
      'a/b c~': 'x',
      either: 1.5,
      closed: { x: 1, y: 2 },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.map((i) => i.path)).toEqual([['id'], ['a/b c~'], ['either'], ['closed', 'y']]);
      expect(result.issues[3]?.message).toBe('Unexpected property "y".');
    }
  });
});
