/**
 * Envelope rendering, the v1 and v2 shapes of DESIGN.md. Local until `@hookwire/events` ships `wrap`; the
 * signature matches it so the switch is an import change.
 */
export interface WrapInput {
  id: string;
  type: string;
  timestamp: Date;
  data: unknown;
  context?: Record<string, unknown>;
  customData?: Record<string, unknown> | null;
  apiVersion?: string;
}

export const V1_API_VERSION = '2021-08-23';
export const V2_API_VERSION = '2026-02-09';

const RESERVED_METADATA = new Set(['id', 'apiVersion', 'eventType', 'eventTime']);

/** Renders a message in an envelope version. Context keys never override the fixed metadata keys. */
export function wrap(version: 'v1' | 'v2', input: WrapInput): Record<string, unknown> {
  if (version === 'v1') {
    return {
      apiVersion: input.apiVersion ?? V1_API_VERSION,
      type: input.type,
      data: input.data,
      ...(input.customData ? { customData: input.customData } : {}),
    };
  }
  const context = Object.fromEntries(
    Object.entries(input.context ?? {}).filter(([k]) => !RESERVED_METADATA.has(k)),
  );
  return {
    metadata: {
      id: input.id,
      apiVersion: input.apiVersion ?? V2_API_VERSION,
      eventType: input.type,
      eventTime: input.timestamp.toISOString(),
      ...context,
    },
    data: input.data,
  };
}
