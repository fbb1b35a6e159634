/**
 * `@hookwire/events/receiver`: the fetch-based webhook receiver every framework adapter builds on.
 * @module
 */
export {
  createWebhookHandler,
  type WebhookHandlerOptions,
} from './create-webhook-handler.js';
export {
  createWebhookReceiver,
  problemForError,
  type ReceiveResult,
  type WebhookHandler,
  type WebhookReceiver,
} from './create-webhook-receiver.js';
export {
  createMemoryDedupe,
  type DedupeClaim,
  type DedupeStore,
  type MemoryDedupeOptions,
} from './dedupe.js';
export type {
  AnyCatalog,
  ReceivedEvent,
  ReceiverLogger,
  WebhookReceiverOptions,
} from './options.js';
export {
  jsonResponse,
  PROBLEM_TYPE_BASE,
  type ProblemIssue,
  problemResponse,
  toFetchResponse,
  type WebhookProblem,
  type WebhookResponse,
} from './problem.js';
export {
  DEFAULT_MAX_BODY_BYTES,
  type NodeRequestLike,
  readNodeBody,
  readRequestBody,
} from './read-body.js';
export {
  createRouter,
  type EventOfType,
  isWebhookRouter,
  type WebhookEventHandler,
  type WebhookRouter,
} from './router.js';
export {
  type RawWebhookRequest,
  type VerifiedWebhook,
  verifyWebhookRequest,
} from './verify-webhook-request.js';
