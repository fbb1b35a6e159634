export {
  type ApiKeysApi,
  createHookwireClient,
  type DeliveriesApi,
  type EventsApi,
  type EventTypesApi,
  type HookwireClient,
  type HookwireClientOptions,
  type PlansApi,
  type PublishOptions,
  type RequestOptions,
  type SourcesApi,
  type TenantsApi,
  type WebhooksApi,
} from './create-hookwire-client.js';
export type { RetryInfo, RetryOptions } from './create-resilient-fetch.js';
export {
  type ApiErrorCode,
  HookwireApiError,
  type HookwireApiErrorInit,
  HookwireNetworkError,
  isHookwireApiError,
  isHookwireNetworkError,
  type NetworkErrorCode,
  type Problem,
  type ProblemCode,
  type ValidationIssue,
} from './errors.js';
export type { components, operations, paths } from './generated/schema.js';
export { type Page, PageIterator, type PageLoader } from './page-iterator.js';
export type { EventMap, EventMapOf, PublishExtras, PublishInput } from './publish-types.js';
export type * from './types.js';
