import { describe, expect, it } from 'vitest';
import {
  createFlatEventParser,
  EnvelopeError,
  envelopeErrorCodes,
  isEnvelopeError,
  type OutgoingMessage,
  parseEnvelope,
  parseJson,
  parseTimestamp,
  wrap,
} from '../src/index.js';

function thrown(run: () => unknown): EnvelopeError {
  try {
    run();
  } catch (error) {
    if (isEnvelopeError(error)) {
      return error;
    }
    throw error;
  }
  throw new Error('expected an EnvelopeError');
}

describe('parseEnvelope with a custom parser', () => {
  // Acturity (seed 000) sends a flat payload with the event name next to the data.
  const acturity = { event: 'link.clicked', link_id: 'lnk_abc', country: 'US' };
  // Activly (seed 002): flat, with a required ISO 8601 UTC timestamp.
  const activly = {
    event: 'purchase',
    first_name: 'Sarah',
    city: 'London',
    country: 'UK',
    product: 'Running Shoes',
    timestamp: '2026-02-28T14:30:00Z',
  };

  it('reads Acturity flat payloads', () => {
    const event = parseEnvelope(acturity, { parse: createFlatEventParser() });
    expect(event).toEqual({
      type: 'link.clicked',
      data: { link_id: 'lnk_abc', country: 'US' },
      envelope: 'custom',
      payload: acturity,
    });
  });

  it('reads Activly flat payloads with a timestamp and a renamed type', () => {
    const parse = createFlatEventParser({ timestampField: 'timestamp', mapType: (t) => `activly.${t}` });
    const event = parseEnvelope(activly, { parse });
    expect(event.type).toBe('activly.purchase');
    expect(event.timestamp?.toISOString()).toBe('2026-02-28T14:30:00.000Z');
    expect(event.data).toEqual({ ...activly, event: undefined, timestamp: '2026-02-28T14:30:00Z' });
    expect(event.data).not.toHaveProperty('event');
    expect(event.envelope).toBe('custom');
  });

  it('rejects an Activly payload whose timestamp is not ISO 8601', () => {
    const parse = createFlatEventParser({ timestampField: 'timestamp' });
    expect(thrown(() => parseEnvelope({ ...activly, timestamp: '28/02/2026' }, { parse })).code).toBe(
      'invalid_envelope',
    );
    expect(thrown(() => parseEnvelope({ ...activly, timestamp: undefined }, { parse })).code).toBe(
      'invalid_envelope',
    );
  });

  it('takes the id from idField and rejects a non-string one', () => {
    const parse = createFlatEventParser({ idField: 'delivery_id' });
    expect(parseEnvelope({ event: 'a.b', delivery_id: 'd_1' }, { parse }).id).toBe('d_1');
    expect(thrown(() => parseEnvelope({ event: 'a.b', delivery_id: 1 }, { parse })).code).toBe(
      'invalid_envelope',
    );
  });

  it('falls back to the built-in shapes when the parser returns undefined', () => {
    const payload = { type: 'link.click', timestamp: '2026-11-23T10:00:00Z', data: {} };
    expect(parseEnvelope(payload, { parse: createFlatEventParser() }).envelope).toBe('standard');
    expect(parseEnvelope(payload, { parse: () => undefined }).envelope).toBe('standard');
  });

  it('is tried before the built-in shapes', () => {
    const payload = { type: 'link.click', timestamp: '2026-11-23T10:00:00Z', data: { a: 1 } };
    const event = parseEnvelope(payload, { parse: () => ({ type: 'x.y', data: 'mine' }) });
    expect(event).toEqual({ type: 'x.y', data: 'mine', envelope: 'custom', payload });
  });

  it('checks what the parser returns', () => {
    const cases: unknown[] = [
      { type: 1, data: {} },
      { type: '', data: {} },
      { type: 'a.b', id: 3, data: {} },
      { type: 'a.b', timestamp: '2026-11-23T10:00:00Z', data: {} },
      { type: 'a.b', timestamp: new Date(Number.NaN), data: {} },
      null,
      'a.b',
    ];
    for (const result of cases) {
      const error = thrown(() => parseEnvelope({}, { parse: () => result as never }));
      expect(error.code).toBe('invalid_envelope');
    }
  });

  it('turns a throwing parser into invalid_envelope with the cause, and passes EnvelopeErrors through', () => {
    const cause = new SyntaxError('boom');
    const error = thrown(() =>
      parseEnvelope(
        {},
        {
          parse: () => {
            throw cause;
          },
        },
      ),
    );
    expect(error.code).toBe('invalid_envelope');
    expect(error.cause).toBe(cause);
    const own = new EnvelopeError('invalid_data', 'nope');
    expect(
      thrown(() =>
        parseEnvelope(
          {},
          {
            parse: () => {
              throw own;
            },
          },
        ),
      ),
    ).toBe(own);
  });
});

describe('parseEnvelope details', () => {
  it('prefers v2 when metadata is present, even next to v1 fields', () => {
    const payload = { metadata: { eventType: 'a.b' }, apiVersion: '2021-08-23', type: 'c.d', data: 1 };
    expect(parseEnvelope(payload).type).toBe('a.b');
  });

  it('keeps context keys reachable through payload', () => {
    const payload = { metadata: { eventType: 'a.b', campaignId: 'cmp_1' }, data: {} };
    const event = parseEnvelope(payload);
    expect((event.payload as typeof payload).metadata.campaignId).toBe('cmp_1');
  });

  it('accepts null data but not a missing data key, and ignores inherited keys', () => {
    expect(parseEnvelope({ apiVersion: 'x', type: 'a.b', data: null }).data).toBeNull();
    const inherited = Object.create({ data: {} }) as Record<string, unknown>;
    Object.assign(inherited, { apiVersion: 'x', type: 'a.b' });
    expect(thrown(() => parseEnvelope(inherited)).code).toBe('invalid_envelope');
  });

  it('does not let a __proto__ key in JSON reach the prototype', () => {
    const payload = parseJson(
      '{"__proto__":{"polluted":1},"type":"a.b","timestamp":"2026-11-23T10:00:00Z","data":{}}',
    );
    const event = parseEnvelope(payload);
    expect(event.type).toBe('a.b');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('names the accepted shapes in its message', () => {
    expect(thrown(() => parseEnvelope([])).message).toMatch(/metadata.*apiVersion.*timestamp/);
    expect(thrown(() => parseEnvelope({ data: {} })).message).toMatch(/pass `parse`/);
  });

  it('round-trips wrap -> JSON -> parseJson -> parseEnvelope for many messages', () => {
    let seed = 42;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    const values = [
      null,
      0,
      -1.5,
      'x',
      '☕ "quoted"\n',
      true,
      [],
      [1, { a: 'b' }],
      { nested: { deep: [null] } },
    ];
    for (let i = 0; i < 300; i++) {
      const message: OutgoingMessage = {
        id: `msg_${next().toString(36)}`,
        type: `res${next() % 5}.act_${next() % 7}`,
        timestamp: new Date(next() * 1000 + (next() % 1000)),
        data: values[next() % values.length],
        context: { campaignId: `cmp_${next()}`, n: next() },
        customData: { k: next() },
      };
      for (const version of ['v1', 'v2'] as const) {
        const body = new TextEncoder().encode(JSON.stringify(wrap(version, message)));
        const event = parseEnvelope(parseJson(body));
        expect(event.type).toBe(message.type);
        expect(event.data).toEqual(message.data);
        expect(event.envelope).toBe(version);
        if (version === 'v2') {
          expect(event.id).toBe(message.id);
          expect(event.timestamp?.getTime()).toBe(message.timestamp.getTime());
          expect((event.payload as { metadata: Record<string, unknown> }).metadata['campaignId']).toBe(
            message.context?.['campaignId'],
          );
        } else {
          expect((event.payload as { customData: unknown }).customData).toEqual(message.customData);
        }
      }
    }
  });
});

describe('parseJson', () => {
  it('decodes only the bytes of a subarray view', () => {
    const bytes = new TextEncoder().encode('xx{"a":1}yy');
    expect(parseJson(bytes.subarray(2, 9))).toEqual({ a: 1 });
  });

  it('rejects a BOM in a string body too, and says why', () => {
    const error = thrown(() => parseJson('\uFEFF{}'));
    expect(error.code).toBe('invalid_json');
    expect(error.message).toMatch(/byte order mark/);
  });

  it('rejects non-string, non-bytes input', () => {
    expect(thrown(() => parseJson({} as never)).code).toBe('invalid_json');
    expect(thrown(() => parseJson(null as never)).code).toBe('invalid_json');
  });

  it('keeps the JSON.parse error as the cause', () => {
    const error = thrown(() => parseJson('{'));
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('parses scalars (parseEnvelope then rejects them)', () => {
    expect(parseJson(' 1 ')).toBe(1);
    expect(thrown(() => parseEnvelope(parseJson('1'))).code).toBe('invalid_envelope');
  });
});

describe('parseTimestamp', () => {
  it.each([
    ['2026-11-23T10:00:00Z', '2026-11-23T10:00:00.000Z'],
    ['2026-11-23T10:00:00.1Z', '2026-11-23T10:00:00.100Z'],
    ['2026-11-23T10:00:00.123456789Z', '2026-11-23T10:00:00.123Z'],
    ['2026-11-23T10:00:00-05:00', '2026-11-23T15:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['0099-01-01T00:00:00Z', '0099-01-01T00:00:00.000Z'],
  ])('%s -> %s', (input, iso) => {
    expect(parseTimestamp(input)?.toISOString()).toBe(iso);
  });

  it.each([
    '2025-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-11-23T10:60:00Z',
    '2026-11-23T10:00:60Z',
    '2026-11-23T10:00:00+24:00',
    '2026-11-23 10:00:00Z',
    '2026-11-23T10:00:00z',
    '2026-11-23',
    '1795428000',
    ' 2026-11-23T10:00:00Z',
    '',
  ])('rejects %j', (input) => {
    expect(parseTimestamp(input)).toBeUndefined();
  });

  it('rejects non-strings', () => {
    expect(parseTimestamp(1_795_428_000)).toBeUndefined();
    expect(parseTimestamp(new Date())).toBeUndefined();
  });
});

describe('EnvelopeError', () => {
  it('is recognised by name and code, across copies', () => {
    const error = new EnvelopeError('invalid_data', 'bad', { issues: [{ path: ['a'], message: 'm' }] });
    expect(error.name).toBe('EnvelopeError');
    expect(error.issues).toEqual([{ path: ['a'], message: 'm' }]);
    expect(isEnvelopeError(error)).toBe(true);
    const copy = Object.assign(new Error('x'), { name: 'EnvelopeError', code: 'invalid_json' });
    expect(isEnvelopeError(copy)).toBe(true);
    expect(isEnvelopeError(Object.assign(new Error('x'), { name: 'EnvelopeError', code: 'nope' }))).toBe(
      false,
    );
    expect(isEnvelopeError({ name: 'EnvelopeError', code: 'invalid_json' })).toBe(false);
    expect(envelopeErrorCodes).toEqual([
      'invalid_json',
      'invalid_envelope',
      'invalid_data',
      'unknown_event_type',
    ]);
  });
});
