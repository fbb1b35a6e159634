import { type OutputUnit, type SchemaDraft, Validator } from '@cfworker/json-schema';
import type { StandardJSONSchemaV1, StandardSchemaV1 } from '@standard-schema/spec';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { InvalidEventsError } from './errors.js';
import { isValidEventName } from './event-names.js';
import { jsonSchemaIssues } from './json-schema-issues.js';
import type { MaybePromise, ValidationIssue, ValidationResult, WebhookEvent } from './types.js';

/** A JSON Schema object (declare it `as const` so TypeScript can infer the data type from it). */
export type JSONSchemaObject = Exclude<JSONSchema, boolean>;

/** What a catalog entry may be: any Standard Schema (zod 4, valibot, arktype, ...) or a JSON Schema object. */
export type CatalogSchema = StandardSchemaV1 | JSONSchemaObject;

/** The `data` type a catalog entry describes: a Standard Schema's output, or `FromSchema` of a JSON Schema. */
export type InferSchemaData<S> = S extends StandardSchemaV1
  ? StandardSchemaV1.InferOutput<S>
  : S extends JSONSchemaObject
    ? FromSchema<S>
    : unknown;

/** Maps each event name of a `defineCatalog` argument to its `data` type. */
export type InferCatalogMap<S extends Record<string, CatalogSchema>> = {
  [K in keyof S & string]: InferSchemaData<S[K]>;
};

/**
 * A typed event catalog: event names and the schema of each event's `data`.
 *
 * `TType` is always `keyof TMap & string` (leave it to its default). It is a parameter of its own because
 * `keyof TMap` in the members would make `Catalog` invariant in `TMap`, and then a specific catalog would not
 * be assignable to `Catalog`.
 */
export interface Catalog<
  TMap extends Record<string, unknown> = Record<string, unknown>,
  TType extends string = keyof TMap & string,
> {
  /** Event names, in declaration order. */
  readonly types: readonly TType[];
  /** True when `type` is in the catalog (narrows it to the catalog's names). */
  has(type: string): type is TType;
  /**
   * Validates `data` against the schema of `type`, returning every issue with its path, or the validated
   * (for Standard Schemas possibly transformed) value. An unknown type gives one issue naming it.
   *
   * The result comes back synchronously when the schema validates synchronously (JSON Schema, and the Standard
   * Schemas of zod, valibot or arktype without async refinements), and as a promise when the schema's
   * `~standard.validate` returns one. `await` it unless you need the synchronous answer (the receiver does:
   * it then verifies a request without a promise hop).
   */
  validate(type: string, data: unknown): MaybePromise<ValidationResult>;
  /**
   * The JSON Schema of `type`: the entry itself for JSON Schema entries, a converted schema for Standard
   * Schemas that implement Standard JSON Schema (zod 4, arktype), `undefined` otherwise.
   */
  jsonSchema(type: string): object | undefined;
  /** Type-only carrier of the event map (always `undefined` at runtime). */
  readonly '~types'?: TMap | undefined;
}

/** Any catalog, whatever its event map: the bound for generics over catalogs. */
export type AnyCatalog = Catalog<Record<string, unknown>>;

/** The event map of a catalog: `{ 'link.click': LinkClickData, ... }`. */
export type CatalogMap<C> = C extends Catalog<infer M, string> ? M : never;

/** The event names of a catalog. */
export type CatalogEventType<C> = keyof CatalogMap<C> & string;

/** The `data` type of one event of a catalog. */
export type CatalogData<C, T extends CatalogEventType<C>> = CatalogMap<C>[T];

/** The discriminated union of a catalog's events: narrow it with `event.type === 'link.click'`. */
export type CatalogEvent<C extends AnyCatalog> = {
  [K in keyof CatalogMap<C> & string]: WebhookEvent<K, CatalogMap<C>[K]>;
}[keyof CatalogMap<C> & string];

function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if (typeof value !== 'object' && typeof value !== 'function') {
    return false;
  }
  const props = (value as { '~standard'?: { version?: unknown; validate?: unknown } } | null)?.['~standard'];
  return (
    typeof props === 'object' && props !== null && props.version === 1 && typeof props.validate === 'function'
  );
}

function hasStandardJsonSchema(value: StandardSchemaV1): value is StandardSchemaV1 & StandardJSONSchemaV1 {
  const converter = (value['~standard'] as { jsonSchema?: { input?: unknown } }).jsonSchema;
  return typeof converter === 'object' && converter !== null && typeof converter.input === 'function';
}

function draftOf(schema: JSONSchemaObject): SchemaDraft {
  const uri = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (uri.includes('draft-04')) {
    return '4';
  }
  if (uri.includes('draft-06') || uri.includes('draft-07')) {
    return '7';
  }
  if (uri.includes('2019-09')) {
    return '2019-09';
  }
  return '2020-12';
}

function segmentOf(segment: PropertyKey | StandardSchemaV1.PathSegment): string | number {
  const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
  return typeof key === 'symbol' ? key.toString() : (key as string | number);
}

function standardResult(result: StandardSchemaV1.Result<unknown>): ValidationResult {
  if (result.issues) {
    const issues: ValidationIssue[] = result.issues.map((issue) => ({
      // Array.from, not .map: arktype's path is an Array subclass whose species constructor misreads map's length.
      path: Array.from(issue.path ?? [], segmentOf),
      message: issue.message,
    }));
    return { ok: false, issues };
  }
  return { ok: true, value: result.value };
}

interface Entry {
  schema: CatalogSchema;
  standard: boolean;
  validator?: Validator;
  jsonSchema?: object | null;
}

/**
 * Defines an event catalog from a map of event name to schema. Entries can mix Standard Schemas (zod 4,
 * valibot, arktype) and JSON Schema objects; TypeScript infers a discriminated union of the events.
 * JSON Schema is validated with @cfworker/json-schema, which needs no `eval`, so it runs on edge runtimes.
 *
 * @example
 * const catalog = defineCatalog({
 *   'link.click': z.object({ link_id: z.string(), country: z.string() }),
 *   'link.deleted': { type: 'object', properties: { link_id: { type: 'string' } }, required: ['link_id'] },
 * });
 * @throws {InvalidEventsError} when a name is not `<resource>.<action>` (e.g. `click`).
 * @throws {TypeError} when an entry is neither a Standard Schema nor a JSON Schema object.
 */
export function defineCatalog<const S extends Record<string, CatalogSchema>>(
  schemas: S,
  // The map is spelled out rather than written `InferCatalogMap<S>`: comparing two catalogs through the alias
  // makes TypeScript measure the alias' variance, which instantiates `FromSchema` generically (TS2589).
): Catalog<{ [K in keyof S & string]: InferSchemaData<S[K]> }> {
  type Map = InferCatalogMap<S>;
  const names = Object.keys(schemas);
  const invalid = names.filter((name) => !isValidEventName(name));
  if (invalid.length > 0) {
    throw new InvalidEventsError(
      invalid,
      `Invalid event names: ${invalid.map((n) => `"${n}"`).join(', ')}. Use full prefixed names in the form <resource>.<action>, e.g. "link.click".`,
    );
  }
  const entries = new Map<string, Entry>();
  for (const name of names) {
    const schema = schemas[name] as unknown;
    if (isStandardSchema(schema)) {
      entries.set(name, { schema, standard: true });
    } else if (typeof schema === 'object' && schema !== null && !Array.isArray(schema)) {
      entries.set(name, { schema: schema as JSONSchemaObject, standard: false });
    } else {
      throw new TypeError(
        `defineCatalog: the schema of "${name}" must be a Standard Schema (zod, valibot, arktype) or a JSON Schema object.`,
      );
    }
  }

  const catalog: Catalog<Map> = {
    types: Object.freeze(names) as readonly (keyof Map & string)[],
    has(type: string): type is keyof Map & string {
      return typeof type === 'string' && entries.has(type);
    },
    validate(type, data) {
      const entry = typeof type === 'string' ? entries.get(type) : undefined;
      if (!entry) {
        return {
          ok: false,
          issues: [
            {
              path: [],
              message: `Unknown event type "${String(type)}"; this catalog has: ${names.join(', ')}.`,
            },
          ],
        };
      }
      if (entry.standard) {
        // Standard Schema lets `validate` answer with a plain result or a promise: keep whichever it gave.
        const result = (entry.schema as StandardSchemaV1)['~standard'].validate(data);
        return typeof (result as { then?: unknown }).then === 'function'
          ? Promise.resolve(result).then(standardResult)
          : standardResult(result as StandardSchemaV1.Result<unknown>);
      }
      // The validator annotates the schema it is given, so hand it a copy and keep the caller's object intact.
      entry.validator ??= new Validator(
        structuredClone(entry.schema) as ConstructorParameters<typeof Validator>[0],
        draftOf(entry.schema as JSONSchemaObject),
        false,
      );
      const result = entry.validator.validate(data);
      if (!result.valid) {
        return { ok: false, issues: jsonSchemaIssues(result.errors as OutputUnit[], data) };
      }
      return { ok: true, value: data };
    },
    jsonSchema(type) {
      const entry = typeof type === 'string' ? entries.get(type) : undefined;
      if (!entry) {
        return undefined;
      }
      if (!entry.standard) {
        return entry.schema as object;
      }
      if (entry.jsonSchema === undefined) {
        const schema = entry.schema as StandardSchemaV1;
        entry.jsonSchema = null;
        if (hasStandardJsonSchema(schema)) {
          try {
            entry.jsonSchema = schema['~standard'].jsonSchema.input({ target: 'draft-2020-12' });
          } catch {
            // Some schemas (transforms, custom refinements) have no JSON Schema form; callers get `undefined`.
          }
        }
      }
      return entry.jsonSchema ?? undefined;
    },
  };
  return catalog;
}
