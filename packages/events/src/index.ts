export {
  type AnyCatalog,
  type Catalog,
  type CatalogData,
  type CatalogEvent,
  type CatalogEventType,
  type CatalogMap,
  type CatalogSchema,
  defineCatalog,
  type InferCatalogMap,
  type InferSchemaData,
  type JSONSchemaObject,
} from './define-catalog.js';
export {
  EnvelopeError,
  type EnvelopeErrorCode,
  envelopeErrorCodes,
  InvalidEventsError,
  isEnvelopeError,
  isInvalidEventsError,
} from './errors.js';
export {
  assertEventNames,
  groupEventTypes,
  isValidEventName,
  MAX_EVENT_NAME_LENGTH,
  suggestEventName,
  validateEventNames,
} from './event-names.js';
export {
  createFlatEventParser,
  type FlatEventParserOptions,
  type ParsedEvent,
  type ParseEnvelopeOptions,
  parseEnvelope,
} from './parse-envelope.js';
export { parseJson } from './parse-json.js';
export { parseTimestamp } from './parse-timestamp.js';
export type {
  EnvelopeFormat,
  EnvelopeKind,
  EnvelopeVersion,
  MaybePromise,
  OutgoingMessage,
  ValidationIssue,
  ValidationResult,
  WebhookEvent,
} from './types.js';
export { API_VERSIONS, RESERVED_CONTEXT_KEYS, wrap } from './wrap.js';
