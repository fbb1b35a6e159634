import { describe, expect, it } from 'vitest';
import { loadSpec } from './support/spec.js';

const spec = loadSpec();

// The paths issue #4 requires; the server implements exactly these (plus anything added later).
const REQUIRED = [
  'POST /api/tenants',
  'GET /api/tenants',
  'GET /api/tenants/{tenantId}',
  'PATCH /api/tenants/{tenantId}',
  'DELETE /api/tenants/{tenantId}',
  'POST /api/tenants/{tenantId}/api-keys',
  'GET /api/tenants/{tenantId}/api-keys',
  'DELETE /api/tenants/{tenantId}/api-keys/{keyId}',
  'GET /api/plans',
  'POST /api/webhooks',
  'GET /api/webhooks',
  'GET /api/webhooks/{webhookId}',
  'PATCH /api/webhooks/{webhookId}',
  'DELETE /api/webhooks/{webhookId}',
  'POST /api/webhooks/{webhookId}/rotate-secret',
  'POST /api/webhooks/{webhookId}/test',
  'POST /api/webhooks/{webhookId}/replay',
  'GET /api/event-types',
  'POST /api/event-types',
  'GET /api/event-types/{name}',
  'PATCH /api/event-types/{name}',
  'DELETE /api/event-types/{name}',
  'POST /api/events',
  'POST /api/events/batch',
  'GET /api/events/{eventId}',
  'GET /api/deliveries',
  'GET /api/deliveries/{deliveryId}',
  'POST /api/deliveries/{deliveryId}/redeliver',
  'POST /api/sources',
  'GET /api/sources',
  'GET /api/sources/{sourceId}',
  'PATCH /api/sources/{sourceId}',
  'DELETE /api/sources/{sourceId}',
  'POST /api/sources/{sourceId}/rotate-token',
  'POST /in/{sourceId}',
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'GET /openapi.json',
];

const REQUIRED_CODES = [
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'VALIDATION_FAILED',
  'INVALID_EVENTS',
  'QUOTA_EXCEEDED',
  'INSECURE_URL',
  'BLOCKED_URL',
  'IDEMPOTENCY_CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'CONFLICT',
  'SERVICE_UNAVAILABLE',
  'INVALID_CURSOR',
  'INVALID_TOKEN',
];

describe('openapi/hookwire.yaml', () => {
  it('has every required operation', () => {
    const have = new Set(spec.operations.map((o) => `${o.method} ${o.path}`));
    expect(REQUIRED.filter((r) => !have.has(r))).toEqual([]);
  });

  it('gives every operation a unique operationId', () => {
    const ids = spec.operations.map((o) => o.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('documents the required error codes in the Problem enum', () => {
    const schemas = (spec.document.components as { schemas: Record<string, { enum?: string[] }> }).schemas;
    expect(schemas.ProblemCode?.enum).toEqual(expect.arrayContaining(REQUIRED_CODES));
  });

  it.each(spec.operations.map((o) => [o.operationId, o] as const))(
    '%s has a 2xx example and request example that validate against their schemas',
    (_id, op) => {
      const success = op.responses.filter((r) => r.status >= 200 && r.status < 300);
      expect(success.length).toBeGreaterThan(0);
      for (const response of op.responses) {
        if (!response.contentType) {
          expect(response.status).toBe(204);
          continue;
        }
        expect(
          response.examples.length,
          `${op.operationId} ${response.status} has an example`,
        ).toBeGreaterThan(0);
        for (const example of response.examples) {
          expect(
            spec.validate(response.schema ?? {}, example),
            `${op.operationId} ${response.status}`,
          ).toEqual([]);
        }
      }
      if (op.requestBody) {
        expect(op.requestBody.examples.length).toBeGreaterThan(0);
        for (const example of op.requestBody.examples) {
          expect(spec.validate(op.requestBody.schema, example), `${op.operationId} request`).toEqual([]);
        }
      }
    },
  );

  it('keeps every problem example consistent: status matches the response, type matches the code', () => {
    let checked = 0;
    for (const op of spec.operations) {
      for (const response of op.responses.filter((r) => r.contentType === 'application/problem+json')) {
        for (const example of response.examples as { status: number; code: string; type: string }[]) {
          expect(example.status, `${op.operationId} ${response.status}`).toBe(response.status);
          expect(example.type).toBe(
            `https://hookwire.dev/problems/${example.code.toLowerCase().replaceAll('_', '-')}`,
          );
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('rejects invalid values with the same schemas (the validator is not vacuous)', () => {
    const create = spec.operations.find((o) => o.operationId === 'createWebhook');
    const schema = create?.requestBody?.schema ?? {};
    expect(spec.validate(schema, { url: 'https://example.org/h' })).toEqual([]);
    expect(spec.validate(schema, { events: ['link.click'] })).not.toEqual([]);
    expect(
      spec.validate(schema, { url: 'https://example.org/h', signature: { scheme: 'hmac' } }),
    ).not.toEqual([]);
    expect(
      spec.validate(schema, { url: 'https://example.org/h', headers: { 'bad header': 'x' } }),
    ).not.toEqual([]);
    expect(spec.validate(schema, { url: 'https://example.org/h', extra: true })).not.toEqual([]);
  });

  it('can express the five seed signature formats', () => {
    const schema = spec.operations.find((o) => o.operationId === 'createWebhook')?.requestBody?.schema ?? {};
    const formats = [
      { scheme: 'hmac', header: 'X-Acturity-Signature', prefix: 'sha256=' },
      { scheme: 'hmac', header: 'X-AWSYS-Signature', prefix: '' },
      {
        scheme: 'timestamped',
        header: 'X-Linka-Factory-Signature',
        unit: 's',
        version: 'v1',
        content: '{t}.{body}',
      },
      { scheme: 'timestamped', header: 'aktify-signature', unit: 'ms', version: 'v1', content: '{body}' },
      { scheme: 'timestamped', header: 'aktify-signature', unit: 'ms', version: 'v2', content: '{t}.{body}' },
      { scheme: 'standard' },
    ];
    for (const signature of formats) {
      expect(spec.validate(schema, { url: 'https://example.org/h', signature })).toEqual([]);
    }
  });

  it('uses prefixed ids without dots', () => {
    const schemas = (spec.document.components as { schemas: Record<string, { pattern?: string }> }).schemas;
    for (const [name, prefix] of [
      ['TenantId', 'tnt'],
      ['ApiKeyId', 'key'],
      ['WebhookId', 'wh'],
      ['MessageId', 'msg'],
      ['DeliveryId', 'dlv'],
      ['AttemptId', 'att'],
      ['SourceId', 'src'],
    ] as const) {
      const re = new RegExp(schemas[name]?.pattern ?? '$^');
      expect(re.test(`${prefix}_01jc8y0c3t9k1w6t0f4q3x9v2a`)).toBe(true);
      expect(re.test(`${prefix}_01jc8y0c3t9k1w6t.f4q3x9v2a`)).toBe(false);
      expect(re.test(`x${prefix}_01jc8y0c3t9k1w6t0f4q3x9v2a`)).toBe(false);
    }
  });
});
