import { describe, expect, it } from 'vitest';
import { links, linksJsonSchemas } from '../src/catalogs/links.js';
import { parseEnvelope, parseJson } from '../src/index.js';

// The example payload of seed 003 (Linka Factory), verbatim.
const linkaBody = `{
"id": "evt_campaign_click_recorded_01hq...",
"type": "campaign.click.recorded",
"created_at": "2026-05-01T17:40:00.000Z",
"account_id": "acc_...",
"data": {
"accountId": "acc_...",
"timestamp": "2026-05-01T17:40:00.000Z",
"campaignId": "cmp_...",
"urlId": "url_...",
"servedUrl": "https://example.com/landing-a",
"routingRuleId": "rule_...",
"routingRuleLabel": "France mobile",
"country": "FR",
"deviceType": "mobile",
"browserFamily": "chrome",
"platformFamily": "android",
"sourceSite": "newsletter",
"refererHost": "example.com",
"ipMasked": "203.0.113.0",
"suspicious": false
}
}`;

describe('links catalog', () => {
  it('has the ten documented events', () => {
    expect(links.types).toEqual([
      'link.click',
      'link.created',
      'link.updated',
      'link.deleted',
      'link.expired',
      'link.limit_reached',
      'link.geo_blocked',
      'campaign.click.recorded',
      'campaign.routing_rule.matched',
      'short_link.click.recorded',
    ]);
    expect(Object.keys(linksJsonSchemas)).toEqual(links.types);
  });

  it('validates the Linka Factory seed payload end to end', async () => {
    const event = parseEnvelope(parseJson(linkaBody));
    expect(event.type).toBe('campaign.click.recorded');
    const result = await links.validate(event.type, event.data);
    expect(result).toEqual({ ok: true, value: event.data });
  });

  it('lists exactly the campaign.click.recorded fields of the seed', () => {
    const seedFields = Object.keys((JSON.parse(linkaBody) as { data: object }).data);
    expect(Object.keys(linksJsonSchemas['campaign.click.recorded'].properties)).toEqual(seedFields);
  });

  it('validates the Acturity / AWSYS click fields and keeps unknown fields (open objects)', async () => {
    const data = { link_id: 'lnk_abc', country: 'US', brand_new_field: { any: 1 } };
    expect(await links.validate('link.click', data)).toEqual({ ok: true, value: data });
  });

  it('reports every issue with its path', async () => {
    const result = await links.validate('campaign.click.recorded', {
      accountId: 1,
      timestamp: 'yesterday',
      servedUrl: 'not a url',
      suspicious: 'no',
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.map((i) => i.path)).toEqual([
        ['campaignId'],
        ['accountId'],
        ['timestamp'],
        ['servedUrl'],
        ['suspicious'],
      ]);
    }
  });

  it.each([
    ['link.click', {}],
    ['link.geo_blocked', { link_id: 'lnk_1' }],
    ['link.limit_reached', { link_id: 'lnk_1', max_clicks: -1 }],
    ['link.created', { link_id: 'lnk_1', tags: ['a', 1] }],
    ['campaign.routing_rule.matched', { accountId: 'a', timestamp: '2026-05-01T17:40:00Z', campaignId: 'c' }],
    ['short_link.click.recorded', { accountId: 'a', timestamp: '2026-05-01T17:40:00Z' }],
  ])('rejects invalid %s data', async (type, data) => {
    expect((await links.validate(type, data)).ok).toBe(false);
  });

  it('accepts minimal valid data for every event', async () => {
    const minimal: Record<string, object> = {
      'campaign.click.recorded': {
        accountId: 'a',
        timestamp: '2026-05-01T17:40:00Z',
        campaignId: 'c',
        servedUrl: 'https://example.com/',
      },
      'campaign.routing_rule.matched': {
        accountId: 'a',
        timestamp: '2026-05-01T17:40:00Z',
        campaignId: 'c',
        routingRuleId: 'r',
      },
      'short_link.click.recorded': { accountId: 'a', timestamp: '2026-05-01T17:40:00Z', shortLinkId: 's' },
      'link.geo_blocked': { link_id: 'lnk_1', country: 'RU' },
    };
    for (const type of links.types) {
      const data = minimal[type] ?? { link_id: 'lnk_1' };
      expect(await links.validate(type, data), type).toEqual({ ok: true, value: data });
    }
  });

  it('serves each entry as frozen, serialisable JSON Schema', () => {
    for (const type of links.types) {
      const schema = links.jsonSchema(type) as Record<string, unknown>;
      expect(schema).toBe(linksJsonSchemas[type]);
      expect(Object.isFrozen(schema)).toBe(true);
      expect(Object.isFrozen(schema['properties'])).toBe(true);
      expect(schema['additionalProperties']).toBe(true);
      expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    }
  });
});
