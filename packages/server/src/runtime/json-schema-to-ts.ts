/**
 * A small JSON Schema (2020-12 / draft-07 subset) to TypeScript type printer for `hookwire codegen`.
 *
 * Covered: `type` (one or a list), `enum`, `const`, `properties` + `required`, `additionalProperties`
 * (absent or true = open object with an `unknown` index signature, a schema = typed index signature,
 * false = closed), `items` / `prefixItems`, `anyOf` / `oneOf` (union), `allOf` (intersection), `nullable`
 * (OpenAPI 3.0), `description` / `deprecated` as JSDoc. Everything else (`$ref`, `not`, conditionals) widens
 * to `unknown`: a generated type may be looser than the schema, never stricter.
 */

type Schema = Record<string, unknown>;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `'a.b'` or `a` as a property key. */
export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : quote(name);
}

/** A single-quoted TypeScript string literal. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

function literal(value: unknown): string {
  if (typeof value === 'string') {
    return quote(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (value === null) {
    return 'null';
  }
  return 'unknown'; // object/array constants: not worth a literal type
}

/** A JSDoc block (or '') for a schema's description and deprecation, indented by `pad`. */
export function jsDoc(schema: unknown, pad: string): string {
  if (!isSchema(schema)) {
    return '';
  }
  const lines: string[] = [];
  if (typeof schema.description === 'string' && schema.description.trim() !== '') {
    lines.push(...schema.description.trim().split('\n'));
  }
  if (schema.deprecated === true) {
    lines.push('@deprecated');
  }
  if (lines.length === 0) {
    return '';
  }
  const safe = lines.map((l) => l.replace(/\*\//g, '*\\/'));
  if (safe.length === 1) {
    return `${pad}/** ${safe[0]} */\n`;
  }
  return `${pad}/**\n${safe.map((l) => `${pad} * ${l}`.trimEnd()).join('\n')}\n${pad} */\n`;
}

function union(parts: string[]): string {
  const unique = [...new Set(parts)];
  if (unique.includes('unknown')) {
    return 'unknown';
  }
  return unique.length === 0 ? 'never' : unique.join(' | ');
}

function wrap(type: string): string {
  return /[|&]/.test(type) ? `(${type})` : type;
}

/**
 * The TypeScript type of values valid against `schema`, formatted over several lines with `indent` as the
 * current indentation.
 */
export function schemaToType(schema: unknown, indent = ''): string {
  if (schema === true || schema === undefined) {
    return 'unknown';
  }
  if (schema === false) {
    return 'never';
  }
  if (!isSchema(schema)) {
    return 'unknown';
  }
  let type = baseType(schema, indent);
  if (schema.nullable === true && type !== 'unknown' && type !== 'null' && !type.endsWith(' | null')) {
    type = `${type} | null`;
  }
  return type;
}

function baseType(schema: Schema, indent: string): string {
  if ('const' in schema) {
    return literal(schema.const);
  }
  if (Array.isArray(schema.enum)) {
    return union(schema.enum.map(literal));
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const list = schema[key];
    if (Array.isArray(list) && list.length > 0) {
      const own = ownType(schema, indent);
      const alternatives = union(list.map((s) => schemaToType(s, indent)));
      return own === 'unknown' ? alternatives : `${wrap(own)} & ${wrap(alternatives)}`;
    }
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    const parts = [ownType(schema, indent), ...schema.allOf.map((s) => schemaToType(s, indent))].filter(
      (t) => t !== 'unknown',
    );
    return parts.length === 0 ? 'unknown' : [...new Set(parts)].map(wrap).join(' & ');
  }
  return ownType(schema, indent);
}

/** The type from `type` / `properties` / `items`, ignoring combinators. */
function ownType(schema: Schema, indent: string): string {
  const declared = Array.isArray(schema.type)
    ? schema.type.filter((t): t is string => typeof t === 'string')
    : typeof schema.type === 'string'
      ? [schema.type]
      : [];
  if (declared.length === 0) {
    if (isSchema(schema.properties) || 'additionalProperties' in schema || Array.isArray(schema.required)) {
      return objectType(schema, indent);
    }
    if ('items' in schema || 'prefixItems' in schema) {
      return arrayType(schema, indent);
    }
    return 'unknown';
  }
  return union(
    declared.map((t) => {
      switch (t) {
        case 'string':
          return 'string';
        case 'number':
        case 'integer':
          return 'number';
        case 'boolean':
          return 'boolean';
        case 'null':
          return 'null';
        case 'array':
          return arrayType(schema, indent);
        case 'object':
          return objectType(schema, indent);
        default:
          return 'unknown';
      }
    }),
  );
}

function arrayType(schema: Schema, indent: string): string {
  if (Array.isArray(schema.prefixItems)) {
    const head = schema.prefixItems.map((s) => schemaToType(s, indent));
    const rest = schema.items === false ? null : schemaToType(schema.items, indent);
    return `[${[...head, ...(rest === null ? [] : [`...${wrap(rest)}[]`])].join(', ')}]`;
  }
  return `${wrap(schemaToType(schema.items, indent))}[]`;
}

function objectType(schema: Schema, indent: string): string {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = new Set(
    Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [],
  );
  const inner = `${indent}  `;
  const lines: string[] = [];
  for (const [name, prop] of Object.entries(properties)) {
    const optional = required.has(name) ? '' : '?';
    lines.push(`${jsDoc(prop, inner)}${inner}${propertyKey(name)}${optional}: ${schemaToType(prop, inner)};`);
  }
  // Required names without a property schema still exist on every valid value.
  for (const name of required) {
    if (!(name in properties)) {
      lines.push(`${inner}${propertyKey(name)}: unknown;`);
    }
  }
  const extra = schema.additionalProperties;
  if (extra !== false) {
    // An index signature must admit every declared property's type, so a typed one only fits alone.
    const value = isSchema(extra) && lines.length === 0 ? schemaToType(extra, inner) : 'unknown';
    lines.push(`${inner}[key: string]: ${value};`);
  }
  if (lines.length === 0) {
    return 'Record<string, never>';
  }
  return `{\n${lines.join('\n')}\n${indent}}`;
}
