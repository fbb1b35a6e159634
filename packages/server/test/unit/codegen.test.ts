import { describe, expect, it } from 'vitest';
import { renderCatalogModule } from '../../src/runtime/codegen.js';
import { propertyKey, quote, schemaToType } from '../../src/runtime/json-schema-to-ts.js';

describe('schemaToType', () => {
  it.each([
    [{ type: 'string' }, 'string'],
    [{ type: 'integer' }, 'number'],
    [{ type: ['string', 'null'] }, 'string | null'],
    [{ type: 'string', nullable: true }, 'string | null'],
    [{ enum: ['a', "it's", 1, null] }, "'a' | 'it\\'s' | 1 | null"],
    [{ const: true }, 'true'],
    [{ type: 'array', items: { type: 'string' } }, 'string[]'],
    [{ type: 'array', items: { type: ['string', 'number'] } }, '(string | number)[]'],
    [{ type: 'array' }, 'unknown[]'],
    [
      { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], items: false },
      '[string, number]',
    ],
    [{ anyOf: [{ type: 'string' }, { type: 'number' }] }, 'string | number'],
    [{ oneOf: [{ type: 'string' }, {}] }, 'unknown'],
    [{ $ref: '#/$defs/x' }, 'unknown'],
    [true, 'unknown'],
    [false, 'never'],
    [{ type: 'object', additionalProperties: false }, 'Record<string, never>'],
  ])('%j -> %s', (schema, expected) => {
    expect(schemaToType(schema)).toBe(expected);
  });

  it('prints objects with required/optional keys, docs, quoted names and index signatures', () => {
    expect(
      schemaToType({
        type: 'object',
        required: ['id', 'a-b'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', description: 'The id.' },
          'a-b': { type: 'number' },
          nested: { type: 'object', properties: { x: { type: 'boolean' } } },
          old: { type: 'string', deprecated: true, description: 'Use id.\nGone in v3.' },
        },
      }),
    ).toBe(
      [
        '{',
        '  /** The id. */',
        '  id: string;',
        "  'a-b': number;",
        '  nested?: {',
        '    x?: boolean;',
        '    [key: string]: unknown;',
        '  };',
        '  /**',
        '   * Use id.',
        '   * Gone in v3.',
        '   * @deprecated',
        '   */',
        '  old?: string;',
        '}',
      ].join('\n'),
    );
    expect(schemaToType({ type: 'object', additionalProperties: { type: 'number' } })).toBe(
      '{\n  [key: string]: number;\n}',
    );
    expect(schemaToType({ type: 'object', required: ['x'] })).toBe(
      '{\n  x: unknown;\n  [key: string]: unknown;\n}',
    );
    expect(
      schemaToType({
        allOf: [{ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false }],
      }),
    ).toBe('{\n  a?: string;\n}');
  });

  it('escapes names and comment terminators', () => {
    expect(propertyKey('link_id')).toBe('link_id');
    expect(propertyKey('link.click')).toBe("'link.click'");
    expect(quote("a'b\\c\n")).toBe("'a\\'b\\\\c\\n'");
    expect(
      schemaToType({ type: 'object', properties: { a: { type: 'string', description: 'x */ y' } } }),
    ).toContain('/** x *\\/ y */');
  });
});

describe('renderCatalogModule', () => {
  it('writes EventMap, EventType, eventTypes and categories', () => {
    const out = renderCatalogModule(
      [
        {
          name: 'link.click',
          description: 'A click.',
          category: 'Links',
          schema: { type: 'object', required: ['link_id'], properties: { link_id: { type: 'string' } } },
        },
        { name: 'user.signup', description: '', category: null, schema: null, deprecated: true },
      ],
      { url: 'http://127.0.0.1:8080' },
    );
    expect(out).toContain("  'link.click': {\n    link_id: string;\n    [key: string]: unknown;\n  };");
    expect(out).toContain("  /** @deprecated */\n  'user.signup': { [key: string]: unknown };");
    expect(out).toContain("export const eventTypes = [\n  'link.click',\n  'user.signup',\n] as const");
    expect(out).toContain("  'link.click': 'Links',\n  'user.signup': null,");
    expect(renderCatalogModule([], { url: 'x' })).toContain(
      'export const eventTypes: readonly EventType[] = [];',
    );
  });
});
