import type { FastifyRequest } from 'fastify';
import type { Attempt, Endpoint, MessageInput, Store } from '../store/store.js';
import type { Principal } from './auth.js';
import type { JsonObject } from './json.js';
import { ApiError } from './problem.js';
import type { UserSchemas } from './user-schemas.js';

/**
 * A plan as the server configuration gives it. Accepts the dispatcher's `Plan` (`retryScheduleMs`) as well
 * as `retrySchedule` (ms); every field is optional.
 */
export interface PlanConfig {
  name?: string;
  description?: string | null;
  /** Endpoint quota; undefined/null = unlimited. */
  maxEndpoints?: number | null;
  /** Delay before each retry, ms. */
  retryScheduleMs?: readonly number[];
  /** Same as `retryScheduleMs` (ms). */
  retrySchedule?: readonly number[];
  requestTimeoutMs?: number;
  /** Largest accepted event `data`; default the app's `maxPayloadBytes`. */
  maxPayloadBytes?: number;
  /** Publish requests per second per tenant; undefined/null = unlimited. */
  publishRateLimitPerSecond?: number | null;
}

/** What `POST /api/webhooks/{id}/test` needs: the `Dispatcher` has it. */
export interface TestSender {
  sendTest(endpoint: Endpoint, input?: Partial<MessageInput>): Promise<Attempt>;
}

/** A plan with every default applied. */
export interface ResolvedPlan {
  name: string;
  description: string | null;
  maxEndpoints: number | null;
  retryScheduleMs: readonly number[];
  requestTimeoutMs: number;
  maxPayloadBytes: number;
  publishRateLimitPerSecond: number | null;
}

/** Everything the handlers share. */
export interface HandlerDeps {
  store: Store;
  notify: () => void;
  sender: TestSender;
  dev: boolean;
  plans: Map<string, ResolvedPlan>;
  defaultPlan: string;
  maxPayloadBytes: number;
  secretOverlapMs: number;
  publicBaseUrl: string | undefined;
  userSchemas: UserSchemas;
  now: () => Date;
  version: string;
  metrics:
    | { registry: { metrics(): Promise<string>; contentType: string }; published: { inc(n?: number): void } }
    | undefined;
  readiness: (() => Promise<boolean>) | undefined;
  /** Takes one publish token for the tenant; throws `RATE_LIMITED` when none is left. */
  takePublishToken: (tenantId: string, perSecond: number | null) => void;
}

/** One validated request, as a handler sees it. */
export interface RequestContext {
  principal: Principal;
  params: Record<string, string>;
  query: JsonObject;
  headers: Record<string, string | undefined>;
  body: unknown;
  request: FastifyRequest;
}

export interface HandlerResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Default `application/json`. */
  contentType?: string;
}

export type Handler = (ctx: RequestContext) => Promise<HandlerResult>;

/** The tenant of a tenant-key request (tenant-scoped routes only accept tenant keys). */
export function tenantOf(ctx: RequestContext): string {
  if (ctx.principal.kind === 'tenant') {
    return ctx.principal.tenantId;
  }
  if (ctx.principal.kind === 'source') {
    return ctx.principal.source.tenantId;
  }
  throw new ApiError('UNAUTHORIZED', 'This route takes a tenant API key.');
}

export const param = (ctx: RequestContext, name: string): string => {
  const v = ctx.params[name];
  if (v === undefined) {
    throw new Error(`route parameter ${name} missing`);
  }
  return v;
};

export const ok = (body: unknown, status = 200): HandlerResult => ({ status, body });
export const noContent = (): HandlerResult => ({ status: 204 });

/** The plan of a tenant (the default plan when its own is no longer configured). */
export function planOf(deps: HandlerDeps, planName: string): ResolvedPlan {
  const plan = deps.plans.get(planName) ?? deps.plans.get(deps.defaultPlan);
  if (!plan) {
    throw new Error(`default plan ${deps.defaultPlan} is not configured`);
  }
  return plan;
}
