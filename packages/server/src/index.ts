export {
  BUILT_IN_PLANS,
  CONFIG_OPTIONS,
  ConfigError,
  type ConfigErrorCode,
  type ConfigOption,
  type LogLevel,
  loadConfig,
  type PlanSettings,
  parsePlans,
  type ServeFlags,
  type ServerConfig,
  type ServerRole,
  toDispatcherPlans,
} from './config.js';
export {
  apiKeyMatches,
  apiKeyPrefix,
  generateApiKey,
  generateEndpointSecret,
  generateSourceToken,
  sha256Hex,
} from './crypto/keys.js';
export { createSecretBox, type SecretBox } from './crypto/secret-box.js';
export {
  DELIVERY_EXHAUSTED_EVENT,
  Dispatcher,
  type DispatcherLogger,
  type DispatcherOptions,
  WEBHOOK_DISABLED_EVENT,
} from './dispatcher/dispatcher.js';
export {
  signatureHeaderName,
  validateCustomHeaders,
  validateEndpointConfig,
  validateSignatureConfig,
} from './dispatcher/endpoint-config.js';
export {
  HttpSender,
  type HttpSenderOptions,
  PREVIEW_LIMIT_BYTES,
  type SendResult,
} from './dispatcher/http-sender.js';
export { type AddressClass, classifyAddress, isAllowedAddress } from './dispatcher/ip-address.js';
export {
  DEFAULT_JITTER,
  DEFAULT_PLANS,
  DEFAULT_RETRY_SCHEDULE_MS,
  type Plan,
  parseRetryAfter,
  retryDelayMs,
} from './dispatcher/retry-policy.js';
export {
  assertSafeUrl,
  assertSafeUrlResolved,
  createGuardedConnector,
  createGuardedLookup,
  type ResolvedAddress,
  type Resolver,
  redactUrl,
  type SafeUrlOptions,
  systemResolver,
} from './dispatcher/ssrf.js';
export { TokenBucket } from './dispatcher/token-bucket.js';
export { HookwireServerError, isHookwireServerError, type ServerErrorCode } from './errors.js';
export { type AppOptions, buildApp, type PlanConfig, type TestSender } from './http/app.js';
export { openapiDocument } from './http/generated/openapi.js';
export { ApiError, PROBLEMS, type ProblemBody, type ProblemCode } from './http/problem.js';
export { ACTIVLY_PAYLOAD_SCHEMA } from './http/user-schemas.js';
export { type IdPrefix, newId } from './ids.js';
export { type CreateMetricsOptions, createMetrics, type ServerMetrics } from './metrics.js';
export {
  type RetentionJob,
  type RetentionJobOptions,
  type RetentionLogger,
  startRetentionJob,
} from './retention.js';
export { matchesEventFilter } from './store/event-filter.js';
export { PostgresStore, type PostgresStoreOptions } from './store/postgres-store.js';
export type { Migration } from './store/sqlite-migrations.js';
export { SqliteStore, type SqliteStoreOptions } from './store/sqlite-store.js';
export type * from './store/store.js';

export const version = '0.0.0';
