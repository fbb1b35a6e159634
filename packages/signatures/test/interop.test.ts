import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { schemes, sign, verify } from '../src/index.js';
import { backends } from './backends.js';

// Interop with the real peer libraries: each signs, the other verifies.
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const payload = '{"type":"link.click","data":{"linkId":"lnk_1","country":"FR"}}';

describe.each(backends)('interop with %s', (_name, backend) => {
  it('standardwebhooks signs, we verify; we sign, standardwebhooks verifies', async () => {
    const wh = new StandardWebhook(secret);
    const now = new Date();
    const signature = wh.sign('msg_interop1', now, payload);
    const headers = {
      'webhook-id': 'msg_interop1',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    };
    await expect(
      verify(schemes.standard(), { secret, body: payload, headers, crypto: backend }),
    ).resolves.toEqual({
      id: 'msg_interop1',
      timestamp: new Date(Math.floor(now.getTime() / 1000) * 1000),
    });
    const ours = await sign(schemes.standard(), { secrets: [secret], body: payload, crypto: backend });
    expect(wh.verify(payload, ours)).toEqual(JSON.parse(payload));
  });

  it('svix signs, we verify (svix-* headers); we sign, svix verifies', async () => {
    const wh = new SvixWebhook(secret);
    const now = new Date();
    const headers = {
      'svix-id': 'msg_interop2',
      'svix-timestamp': String(Math.floor(now.getTime() / 1000)),
      'svix-signature': wh.sign('msg_interop2', now, payload),
    };
    const svixScheme = schemes.standard({ headerPrefix: 'svix' });
    await expect(
      verify(svixScheme, { secret, body: payload, headers, crypto: backend }),
    ).resolves.toMatchObject({
      id: 'msg_interop2',
    });
    const ours = await sign(svixScheme, { secret, body: Buffer.from(payload), crypto: backend });
    expect(wh.verify(payload, ours)).toEqual(JSON.parse(payload));
    const standardHeaders = await sign(schemes.standard(), { secret, body: payload, crypto: backend });
    expect(wh.verify(payload, standardHeaders)).toEqual(JSON.parse(payload));
  });

  it('stripe generateTestHeaderString verifies with schemes.timestamped; stripe accepts what we sign', async () => {
    const stripe = new Stripe('sk_test_interop');
    const stripeSecret = 'whsec_stripe_interop_secret';
    const scheme = schemes.timestamped({ header: 'stripe-signature', unit: 's', version: 'v1' });
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: stripeSecret });
    await expect(
      verify(scheme, {
        secret: stripeSecret,
        body: payload,
        headers: { 'stripe-signature': header },
        crypto: backend,
      }),
    ).resolves.toHaveProperty('timestamp');
    const ours = await sign(scheme, { secret: stripeSecret, body: payload, crypto: backend });
    const event = stripe.webhooks.constructEvent(payload, ours['stripe-signature']!, stripeSecret);
    expect(event).toEqual(JSON.parse(payload));
  });

  it('octokit sign() verifies with schemes.hmac; octokit verify() accepts what we sign', async () => {
    const scheme = schemes.hmac({ header: 'x-hub-signature-256', prefix: 'sha256=' });
    const signature = await octokitSign('github-secret', payload);
    await expect(
      verify(scheme, {
        secret: 'github-secret',
        body: payload,
        headers: { 'X-Hub-Signature-256': signature },
        crypto: backend,
      }),
    ).resolves.toEqual({});
    const ours = await sign(scheme, { secret: 'github-secret', body: payload, crypto: backend });
    expect(await octokitVerify('github-secret', payload, ours['x-hub-signature-256']!)).toBe(true);
  });
});
