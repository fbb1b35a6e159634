import { generateEndpointSecret } from '../../crypto/keys.js';
import { OPERATIONAL_EVENTS } from '../../dispatcher/dispatcher.js';
import { validateEndpointConfig } from '../../dispatcher/endpoint-config.js';
import type {
  Endpoint,
  EndpointInput,
  EndpointPatch,
  EnvelopeVersion,
  SignatureConfig,
} from '../../store/store.js';
import { decodeApiCursor, encodeApiCursor } from '../api-cursor.js';
import { type Handler, type HandlerDeps, noContent, ok, param, planOf, tenantOf } from '../context.js';
import type { JsonObject } from '../json.js';
import { ApiError, validationFailed } from '../problem.js';
import { attemptJson, webhookJson } from '../serialize.js';
import { invalidEvents, unknownEventNames } from './catalog.js';

/** Test sends use this type unless the body names another. */
export const TEST_EVENT_TYPE = 'hookwire.test';
const TEST_EVENT_DATA = { message: 'This is a test event from Hookwire.' };
const MAX_OVERLAP_MS = 7 * 86_400_000;

interface WebhookBody {
  url?: string;
  events?: string[];
  description?: string;
  enabled?: boolean;
  envelope?: EnvelopeVersion;
  signature?: SignatureConfig;
  headers?: Record<string, string>;
  rateLimitPerSecond?: number | null;
  metadata?: Record<string, string>;
  secret?: string;
}

const lowerKeys = (h: Record<string, string>) =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

/** The write shape, with header names lower case (they are case-insensitive on the wire). */
function normalizeSignature(sig: SignatureConfig): SignatureConfig {
  return sig.header ? { ...sig, header: sig.header.toLowerCase() } : sig;
}

/** `standard` secrets are `whsec_` + base64 of 24–64 bytes; other schemes take any 16+ characters. */
function checkSecret(secret: string, sig: SignatureConfig, path: string): void {
  if (sig.scheme !== 'standard') {
    return;
  }
  const m = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  const bytes = m?.[1] ? Buffer.from(m[1], 'base64').length : 0;
  if (bytes < 24 || bytes > 64) {
    throw validationFailed([
      { path, message: 'must be whsec_ followed by base64 of 24 to 64 bytes for the standard scheme' },
    ]);
  }
}

/** Webhook endpoints: CRUD, secret rotation, test sends and replays. */
export function webhookHandlers(deps: HandlerDeps): Record<string, Handler> {
  const { store } = deps;

  const requireEndpoint = async (tenantId: string, id: string): Promise<Endpoint> => {
    const e = await store.getEndpoint(tenantId, id);
    if (!e) {
      throw new ApiError('NOT_FOUND', `Webhook ${id} does not exist.`);
    }
    return e;
  };
  /** Semantic checks in the documented order: events, then URL, headers and the rest. */
  const check = async (
    tenantId: string,
    input: EndpointInput | EndpointPatch,
    current: Endpoint | undefined,
  ): Promise<void> => {
    if (input.events) {
      // The API takes exact catalog names (the spec's EventTypeName); `link.*` filters are a library feature.
      // The server's own operational events (webhook.disabled, delivery.exhausted) need no catalog entry.
      const invalid = await unknownEventNames(
        store,
        tenantId,
        input.events.filter((name) => !OPERATIONAL_EVENTS.has(name)),
      );
      if (invalid.length > 0) {
        throw invalidEvents(invalid);
      }
    }
    // Events are checked above against the catalog; the shape check below would only call them invalid input.
    const { events: _events, ...rest } = input;
    validateEndpointConfig(
      // A new signature header may collide with headers kept from before.
      input.signature && current && !input.headers ? { ...rest, headers: current.headers } : rest,
      { dev: deps.dev, ...(current ? { current: { signature: current.signature } } : {}) },
    );
  };

  return {
    async createWebhook(ctx) {
      const tenantId = tenantOf(ctx);
      const body = ctx.body as WebhookBody & { url: string };
      const signature = normalizeSignature(body.signature ?? { scheme: 'standard' });
      if (body.secret !== undefined) {
        checkSecret(body.secret, signature, '/secret');
      }
      const input: EndpointInput = {
        url: body.url,
        description: body.description ?? '',
        events: body.events ?? [],
        enabled: body.enabled ?? true,
        envelope: body.envelope ?? 'v2',
        signature,
        headers: lowerKeys(body.headers ?? {}),
        rateLimitPerSecond: body.rateLimitPerSecond ?? null,
        metadata: body.metadata ?? {},
        secret: body.secret ?? generateEndpointSecret(),
      };
      await check(tenantId, input, undefined);
      const tenant = await store.getTenant(tenantId);
      const plan = planOf(deps, tenant?.plan ?? deps.defaultPlan);
      const e = await store
        .createEndpoint(
          tenantId,
          input,
          plan.maxEndpoints === null ? {} : { maxEndpoints: plan.maxEndpoints },
        )
        .catch((err: unknown) => {
          if ((err as { code?: string }).code === 'QUOTA_EXCEEDED') {
            throw new ApiError(
              'QUOTA_EXCEEDED',
              `Plan "${plan.name}" allows ${plan.maxEndpoints} webhooks; delete one or move to a larger plan.`,
            );
          }
          throw err;
        });
      return ok({ ...webhookJson(e, deps.now()), secret: input.secret }, 201);
    },

    async listWebhooks(ctx) {
      const p = await store.listEndpoints(tenantOf(ctx), {
        limit: ctx.query.limit as number | undefined,
        cursor: decodeApiCursor('webhooks', ctx.query.cursor as string | undefined),
        ...(ctx.query.enabled !== undefined ? { enabled: ctx.query.enabled as boolean } : {}),
        ...(ctx.query.eventType !== undefined ? { eventType: ctx.query.eventType as string } : {}),
      });
      const now = deps.now();
      return ok({
        data: p.items.map((e) => webhookJson(e, now)),
        nextCursor: encodeApiCursor('webhooks', p.nextCursor),
      });
    },

    async getWebhook(ctx) {
      return ok(webhookJson(await requireEndpoint(tenantOf(ctx), param(ctx, 'webhookId')), deps.now()));
    },

    async updateWebhook(ctx) {
      const tenantId = tenantOf(ctx);
      const id = param(ctx, 'webhookId');
      const current = await requireEndpoint(tenantId, id);
      const body = ctx.body as WebhookBody;
      const patch: EndpointPatch = {
        ...(body.url !== undefined ? { url: body.url } : {}),
        ...(body.events !== undefined ? { events: body.events } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
        ...(body.envelope !== undefined ? { envelope: body.envelope } : {}),
        ...(body.signature !== undefined ? { signature: normalizeSignature(body.signature) } : {}),
        ...(body.headers !== undefined ? { headers: lowerKeys(body.headers) } : {}),
        ...(body.rateLimitPerSecond !== undefined ? { rateLimitPerSecond: body.rateLimitPerSecond } : {}),
        ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
      };
      await check(tenantId, patch, current);
      const e = await store.updateEndpoint(tenantId, id, patch);
      return ok(webhookJson(e, deps.now()));
    },

    async deleteWebhook(ctx) {
      await store.deleteEndpoint(tenantOf(ctx), param(ctx, 'webhookId'));
      return noContent();
    },

    async rotateWebhookSecret(ctx) {
      const tenantId = tenantOf(ctx);
      const id = param(ctx, 'webhookId');
      const current = await requireEndpoint(tenantId, id);
      const body = (ctx.body ?? {}) as { secret?: string; overlapSeconds?: number };
      if (body.secret !== undefined) {
        checkSecret(body.secret, current.signature, '/secret');
      }
      const secret = body.secret ?? generateEndpointSecret();
      const overlapMs = Math.min(
        body.overlapSeconds !== undefined ? body.overlapSeconds * 1000 : deps.secretOverlapMs,
        MAX_OVERLAP_MS,
      );
      const now = deps.now();
      await store.rotateEndpointSecret(tenantId, id, secret, overlapMs, now);
      return ok({
        webhookId: id,
        secret,
        previousSecretExpiresAt: overlapMs > 0 ? new Date(now.getTime() + overlapMs).toISOString() : null,
      });
    },

    async sendTestEvent(ctx) {
      const tenantId = tenantOf(ctx);
      const endpoint = await requireEndpoint(tenantId, param(ctx, 'webhookId'));
      const body = (ctx.body ?? {}) as { type?: string; data?: JsonObject };
      const type = body.type ?? TEST_EVENT_TYPE;
      if (type !== TEST_EVENT_TYPE) {
        const invalid = await unknownEventNames(store, tenantId, [type]);
        if (invalid.length > 0) {
          throw invalidEvents(invalid);
        }
      }
      const attempt = await deps.sender.sendTest(endpoint, {
        eventType: type,
        data: body.data ?? TEST_EVENT_DATA,
      });
      const delivery = await store.getDelivery(tenantId, attempt.deliveryId);
      return ok({
        succeeded: attempt.errorKind === 'none',
        messageId: delivery?.messageId,
        deliveryId: attempt.deliveryId,
        eventType: type,
        attempt: attemptJson(attempt),
      });
    },

    async replayWebhook(ctx) {
      const tenantId = tenantOf(ctx);
      const id = param(ctx, 'webhookId');
      const body = ctx.body as { since: string; until?: string };
      const now = deps.now();
      const count = await store.replayFailedSince(
        tenantId,
        id,
        new Date(body.since),
        now,
        body.until ? new Date(body.until) : now,
      );
      if (count > 0) {
        deps.notify();
      }
      return ok({ count }, 202);
    },
  };
}
