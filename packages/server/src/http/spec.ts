import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { openapiDocument } from './generated/openapi.js';
import { isObject, type JsonObject } from './json.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
/** Base URI under which the spec's component schemas are registered with ajv. */
export const SCHEMA_BASE = 'https://hookwire.dev/openapi';

export type SecurityScheme = 'adminKey' | 'apiKey' | 'sourceToken' | 'sourceTokenHeader';

export interface SpecParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonObject;
}

export interface SpecResponse {
  status: string;
  contentType: string | undefined;
  schema: JsonObject | undefined;
}

/** One operation of the document with its parameters, body and responses, `$ref`s resolved one level. */
export interface SpecOperation {
  operationId: string;
  method: string;
  /** OpenAPI path template (`/api/webhooks/{webhookId}`). */
  path: string;
  parameters: SpecParameter[];
  /** Schemes any of which authorises the call; empty = public. */
  security: SecurityScheme[];
  requestBody: { required: boolean; schema: JsonObject } | undefined;
  responses: SpecResponse[];
}

/** A validation problem, JSON Pointer path plus words. */
export interface FieldError {
  path: string;
  message: string;
}

/** Rewrites `#/components/schemas/X` refs so ajv resolves them in the registered `$defs` document. */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(rewriteRefs);
  }
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')
          ? `${SCHEMA_BASE}#/$defs/${v.slice('#/components/schemas/'.length)}`
          : rewriteRefs(v);
    }
    return out;
  }
  return value;
}

function resolveRef(document: JsonObject, node: unknown): JsonObject {
  let current = node;
  for (let hops = 0; isObject(current) && typeof current.$ref === 'string' && hops < 10; hops++) {
    const ref = current.$ref as string;
    if (!ref.startsWith('#/')) {
      throw new Error(`external $ref not supported: ${ref}`);
    }
    current = ref
      .slice(2)
      .split('/')
      .reduce<unknown>(
        (acc, key) => (isObject(acc) ? acc[key.replaceAll('~1', '/').replaceAll('~0', '~')] : undefined),
        document,
      );
  }
  if (!isObject(current)) {
    throw new Error('dangling $ref in the OpenAPI document');
  }
  return current;
}

/**
 * An ajv for the OpenAPI 3.1 dialect (JSON Schema 2020-12) with the document's component schemas
 * registered, as openapi/README.md describes: `discriminator` and `example` as annotations, formats, union
 * types. `coerce` makes a second flavour for query strings.
 */
export function createSpecAjv(document: JsonObject = openapiDocument, opts: { coerce?: boolean } = {}) {
  const ajv = new Ajv2020({
    strict: true,
    allErrors: true,
    allowUnionTypes: true,
    coerceTypes: opts.coerce === true,
  });
  // ajv-formats is CommonJS: its function is both `module.exports` and `.default`.
  addFormatsModule.default(ajv);
  ajv.addKeyword({ keyword: 'discriminator' });
  ajv.addKeyword({ keyword: 'example' });
  const components = document.components as JsonObject;
  ajv.addSchema({ $id: SCHEMA_BASE, $defs: rewriteRefs(components.schemas) as JsonObject });
  return {
    ajv,
    compile(schema: JsonObject): ValidateFunction {
      return ajv.compile(rewriteRefs(schema) as JsonObject);
    },
  };
}

/** Every operation of the document, literal paths before templated ones. */
export function specOperations(document: JsonObject = openapiDocument): SpecOperation[] {
  const operations: SpecOperation[] = [];
  const rootSecurity = (document.security as JsonObject[] | undefined) ?? [];
  for (const [path, item] of Object.entries(document.paths as JsonObject)) {
    const pathItem = item as JsonObject;
    const shared = ((pathItem.parameters as unknown[] | undefined) ?? []).map((p) => resolveRef(document, p));
    for (const method of METHODS) {
      const op = pathItem[method];
      if (!isObject(op)) {
        continue;
      }
      const own = ((op.parameters as unknown[] | undefined) ?? []).map((p) => resolveRef(document, p));
      const parameters = [...shared, ...own].map(
        (p): SpecParameter => ({
          name: p.name as string,
          in: p.in as SpecParameter['in'],
          required: p.required === true,
          schema: p.schema as JsonObject,
        }),
      );
      const body = op.requestBody ? resolveRef(document, op.requestBody) : undefined;
      const media = body
        ? ((body.content as JsonObject)['application/json'] as JsonObject | undefined)
        : undefined;
      const responses = Object.entries(op.responses as JsonObject).map(([status, r]): SpecResponse => {
        const response = resolveRef(document, r);
        const content = response.content as JsonObject | undefined;
        const contentType = content ? Object.keys(content)[0] : undefined;
        const media = content && contentType ? (content[contentType] as JsonObject) : undefined;
        const schema = media?.schema as JsonObject | undefined;
        return { status, contentType, schema };
      });
      const security = ((op.security as JsonObject[] | undefined) ?? rootSecurity).flatMap(
        (req) => Object.keys(req) as SecurityScheme[],
      );
      operations.push({
        operationId: op.operationId as string,
        method: method.toUpperCase(),
        path,
        parameters,
        security,
        requestBody: media
          ? { required: body?.required === true, schema: media.schema as JsonObject }
          : undefined,
        responses,
      });
    }
  }
  return operations;
}

/** Turns ajv errors into `{ path, message }`, paths as JSON Pointers under `prefix`. */
export function toFieldErrors(errors: ErrorObject[] | null | undefined, prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    let path = `${prefix}${e.instancePath}`;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      path = `${path}/${String(e.params.missingProperty)}`;
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      path = `${path}/${String(e.params.additionalProperty)}`;
      message = 'is not allowed';
    } else if (e.keyword === 'enum') {
      message = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'const') {
      message = `must be ${JSON.stringify(e.params.allowedValue)}`;
    }
    const key = `${path}\u0000${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ path, message });
    }
  }
  return out;
}
