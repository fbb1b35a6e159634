import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonObject } from './json.js';
import { validationFailed } from './problem.js';
import { type FieldError, toFieldErrors } from './spec.js';

/**
 * The Activly inbound shape (seed page 002): required `event`, `first_name`, `city`, `country`, `product`,
 * `timestamp` (ISO 8601 UTC); optional `amount`, `currency`, `email`, `product_url`. The default
 * `payloadSchema` of a source.
 */
export const ACTIVLY_PAYLOAD_SCHEMA: JsonObject = {
  type: 'object',
  required: ['event', 'first_name', 'city', 'country', 'product', 'timestamp'],
  properties: {
    event: { enum: ['purchase', 'signup', 'review', 'custom'] },
    first_name: { type: 'string', minLength: 1, maxLength: 200 },
    city: { type: 'string', minLength: 1, maxLength: 200 },
    country: { type: 'string', minLength: 1, maxLength: 100 },
    product: { type: 'string', minLength: 1, maxLength: 500 },
    timestamp: { type: 'string', format: 'date-time', pattern: 'Z$' },
    amount: { type: 'number' },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    email: { type: 'string', format: 'email' },
    product_url: { type: 'string', format: 'uri' },
  },
};

const CACHE_LIMIT = 1000;

/**
 * Compiles tenant-supplied JSON Schemas (event `data`, inbound payloads) with ajv 2020-12. Unknown keywords
 * are tolerated (users annotate schemas), but a schema ajv cannot compile is rejected when it is stored.
 * Compiled validators are cached by a caller-chosen key that changes when the schema does.
 */
export class UserSchemas {
  private readonly ajv: Ajv2020;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor() {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, allowUnionTypes: true, validateSchema: true });
    addFormatsModule.default(this.ajv);
  }

  /** @throws ApiError `VALIDATION_FAILED` at `path` when the schema does not compile. */
  check(schema: JsonObject, path: string): void {
    try {
      this.ajv.compile(schema);
    } catch (err) {
      throw validationFailed([{ path, message: `is not a valid JSON Schema: ${(err as Error).message}` }]);
    }
  }

  /** Validation errors of `value` (paths under `prefix`), or [] when it conforms. */
  validate(cacheKey: string, schema: JsonObject, value: unknown, prefix: string): FieldError[] {
    let fn = this.cache.get(cacheKey);
    if (!fn) {
      fn = this.ajv.compile(schema);
      if (this.cache.size >= CACHE_LIMIT) {
        this.cache.clear();
      }
      this.cache.set(cacheKey, fn);
    }
    return fn(value) ? [] : toFieldErrors(fn.errors, prefix);
  }
}
