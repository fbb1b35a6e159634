import { describe, expect, it } from 'vitest';
import { links } from '../src/catalogs/links.js';
import {
  assertEventNames,
  groupEventTypes,
  InvalidEventsError,
  isInvalidEventsError,
  isValidEventName,
  MAX_EVENT_NAME_LENGTH,
  suggestEventName,
  validateEventNames,
} from '../src/index.js';

describe('isValidEventName', () => {
  it.each([
    'link.click',
    'link.limit_reached',
    'campaign.click.recorded',
    'campaign.routing_rule.matched',
    'short_link.click.recorded',
    'lead.message_sent',
    'dnc.created',
    'a1.b2',
  ])('accepts %s', (name) => {
    expect(isValidEventName(name)).toBe(true);
  });

  it.each([
    'click',
    '',
    'Link.click',
    'link.Click',
    'link..click',
    '.link',
    'link.',
    'link.1click',
    '1link.click',
    'link-click.x',
    'link click.x',
    'link.click ',
    'link.clické',
    'link/click',
    '*',
    'link.*',
  ])('rejects %j', (name) => {
    expect(isValidEventName(name)).toBe(false);
  });

  it('bounds the length', () => {
    const name = `a.${'b'.repeat(MAX_EVENT_NAME_LENGTH - 2)}`;
    expect(isValidEventName(name)).toBe(true);
    expect(isValidEventName(`${name}b`)).toBe(false);
  });

  it('rejects non-strings from untyped callers', () => {
    expect(isValidEventName(1 as never)).toBe(false);
  });
});

describe('validateEventNames', () => {
  it('splits valid and invalid names, de-duplicated in order', () => {
    expect(
      validateEventNames(['link.click', 'click', 'link.created', 'link.click', 'click', 7, null]),
    ).toEqual({
      valid: ['link.click', 'link.created'],
      invalid: ['click', '7', 'null'],
    });
  });

  it('treats names outside a known list as invalid', () => {
    expect(validateEventNames(['link.click', 'link.clicked', 'user.created'], links.types)).toEqual({
      valid: ['link.click'],
      invalid: ['link.clicked', 'user.created'],
    });
  });

  it('accepts any iterable as the known list', () => {
    expect(validateEventNames(['a.b'], new Set(['a.b'])).valid).toEqual(['a.b']);
  });
});

describe('assertEventNames', () => {
  it('returns the valid names', () => {
    expect(assertEventNames(['link.click', 'link.click', 'link.created'], links.types)).toEqual([
      'link.click',
      'link.created',
    ]);
  });

  it('throws INVALID_EVENTS like the AWSYS.CO API, with suggestions', () => {
    let error: unknown;
    try {
      assertEventNames(['click', 'link.clik', 'link.created', 'zzz.qqq'], links.types);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidEventsError);
    expect(isInvalidEventsError(error)).toBe(true);
    const e = error as InvalidEventsError;
    expect(e.code).toBe('INVALID_EVENTS');
    expect(e.invalid).toEqual(['click', 'link.clik', 'zzz.qqq']);
    expect(e.message).toContain('"click" (did you mean "link.click"?)');
    expect(e.message).toContain('"link.clik" (did you mean "link.click"?)');
    expect(e.message).toContain('"zzz.qqq". Use full prefixed');
    expect(e.message).toContain('link.geo_blocked');
  });

  it('explains the naming rule without a known list', () => {
    expect(() => assertEventNames(['click'])).toThrow(/<resource>\.<action>/);
  });

  it('isInvalidEventsError rejects look-alikes', () => {
    expect(isInvalidEventsError(new Error('x'))).toBe(false);
    expect(isInvalidEventsError({ name: 'InvalidEventsError', code: 'INVALID_EVENTS' })).toBe(false);
  });
});

describe('suggestEventName', () => {
  it('finds the full name of a short name, a near spelling, or nothing', () => {
    expect(suggestEventName('limit_reached', links.types)).toBe('link.limit_reached');
    expect(suggestEventName('link.delted', links.types)).toBe('link.deleted');
    expect(suggestEventName('order.paid', links.types)).toBeUndefined();
  });
});

describe('groupEventTypes', () => {
  it('groups the links catalog by resource in first-seen order', () => {
    expect(groupEventTypes(links.types)).toEqual([
      {
        resource: 'link',
        types: [
          'link.click',
          'link.created',
          'link.updated',
          'link.deleted',
          'link.expired',
          'link.limit_reached',
          'link.geo_blocked',
        ],
      },
      { resource: 'campaign', types: ['campaign.click.recorded', 'campaign.routing_rule.matched'] },
      { resource: 'short_link', types: ['short_link.click.recorded'] },
    ]);
  });

  it('de-duplicates and keeps names without a dot as their own group', () => {
    expect(groupEventTypes(['lead.a', 'click', 'lead.a', 'dnc.created', 'lead.b'])).toEqual([
      { resource: 'lead', types: ['lead.a', 'lead.b'] },
      { resource: 'click', types: ['click'] },
      { resource: 'dnc', types: ['dnc.created'] },
    ]);
  });
});
