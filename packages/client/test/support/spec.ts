import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

/** The spec file this package is generated from. */
export const SPEC_PATH = fileURLToPath(new URL('../../../../openapi/hookwire.yaml', import.meta.url));

type Json = Record<string, unknown>;

export interface SpecParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Json;
}

export interface SpecResponse {
  status: number;
  contentType: string | undefined;
  schema: Json | undefined;
  /** Every example of this response (`example` and each `examples` entry, `$ref`s resolved). */
  examples: unknown[];
}

export interface SpecOperation {
  operationId: string;
  method: string;
  path: string;
  pattern: RegExp;
  pathParamNames: string[];
  parameters: SpecParameter[];
  security: Json[];
  requestBody: { required: boolean; schema: Json; examples: unknown[] } | undefined;
  responses: SpecResponse[];
}

export interface LoadedSpec {
  document: Json;
  operations: SpecOperation[];
  /** Validates a value against a schema taken from the spec (refs rewritten). */
  validate(schema: Json, value: unknown): ErrorObject[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;
const SCHEMA_BASE = 'https://hookwire.test/openapi';

/** Rewrites `#/components/schemas/X` refs so ajv can resolve them in a registered `$defs` document. */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(rewriteRefs);
  }
  if (value && typeof value === 'object') {
    const out: Json = {};
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

/** Loads the spec, indexes its operations and prepares an ajv (JSON Schema 2020-12, the OAS 3.1 dialect). */
export function loadSpec(): LoadedSpec {
  const document = parse(readFileSync(SPEC_PATH, 'utf8')) as Json;
  const components = document.components as Json;

  const resolve = (node: unknown): Json => {
    let current = node as Json;
    for (let hops = 0; typeof current?.$ref === 'string' && hops < 10; hops++) {
      const ref = current.$ref as string;
      if (!ref.startsWith('#/')) {
        throw new Error(`external $ref not supported: ${ref}`);
      }
      current = ref
        .slice(2)
        .split('/')
        .reduce<unknown>(
          (acc, key) => (acc as Json)[key.replaceAll('~1', '/').replaceAll('~0', '~')],
          document,
        ) as Json;
    }
    return current;
  };

  const examplesOf = (media: Json | undefined): unknown[] => {
    if (!media) {
      return [];
    }
    const out: unknown[] = [];
    if ('example' in media) {
      out.push(media.example);
    }
    for (const entry of Object.values((media.examples as Json | undefined) ?? {})) {
      out.push(resolve(entry).value);
    }
    return out;
  };

  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  // ajv-formats is CommonJS: its function is both `module.exports` and `.default`.
  addFormatsModule.default(ajv);
  // OpenAPI 3.1 vocabulary on top of 2020-12: annotations only, nothing to validate.
  ajv.addKeyword({ keyword: 'discriminator' });
  ajv.addKeyword({ keyword: 'example' });
  ajv.addSchema({ $id: SCHEMA_BASE, $defs: rewriteRefs(components.schemas) as Json });
  const compiled = new Map<string, ValidateFunction>();

  const operations: SpecOperation[] = [];
  for (const [path, item] of Object.entries(document.paths as Json)) {
    const pathItem = item as Json;
    const shared = ((pathItem.parameters as unknown[]) ?? []).map(resolve);
    for (const method of METHODS) {
      const op = pathItem[method] as Json | undefined;
      if (!op) {
        continue;
      }
      const parameters = [
        ...shared,
        ...((op.parameters as unknown[]) ?? []).map(resolve),
      ] as unknown as SpecParameter[];
      const pathParamNames: string[] = [];
      const pattern = new RegExp(
        `^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([^}]+)\\?\}/g, (_m, name: string) => {
          pathParamNames.push(name);
          return '([^/]+)';
        })}$`,
      );
      const body = op.requestBody ? resolve(op.requestBody) : undefined;
      const bodyMedia = body ? ((body.content as Json)['application/json'] as Json) : undefined;
      const responses: SpecResponse[] = Object.entries(op.responses as Json).map(([status, r]) => {
        const response = resolve(r);
        const content = response.content as Json | undefined;
        const contentType = content ? Object.keys(content)[0] : undefined;
        const media = contentType ? (content?.[contentType] as Json) : undefined;
        return {
          status: Number(status),
          contentType,
          schema: media?.schema as Json | undefined,
          examples: examplesOf(media),
        };
      });
      operations.push({
        operationId: op.operationId as string,
        method: method.toUpperCase(),
        path,
        pattern,
        pathParamNames,
        parameters,
        security: (op.security as Json[] | undefined) ?? (document.security as Json[]),
        requestBody: bodyMedia
          ? {
              required: body?.required === true,
              schema: bodyMedia.schema as Json,
              examples: examplesOf(bodyMedia),
            }
          : undefined,
        responses,
      });
    }
  }
  // Literal segments win over templates (`/api/events/batch` before `/api/events/{eventId}`).
  operations.sort((a, b) => a.pathParamNames.length - b.pathParamNames.length);

  return {
    document,
    operations,
    validate(schema, value) {
      const key = JSON.stringify(schema);
      const fn = compiled.get(key) ?? ajv.compile(rewriteRefs(schema) as Json);
      compiled.set(key, fn);
      return fn(value) ? [] : [...(fn.errors ?? [])];
    },
  };
}
