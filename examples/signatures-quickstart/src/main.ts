// Signs one webhook in each seed format, verifies it, then shows a tampered copy being rejected.
// Run: pnpm start
import {
  isWebhookVerificationError,
  type Scheme,
  schemes,
  sign,
  signUrl,
  verify,
} from '@hookwire/signatures';

const body = JSON.stringify({ type: 'link.click', data: { linkId: 'lnk_1', country: 'FR' } });

const formats: [name: string, scheme: Scheme, secret: string][] = [
  ['Acturity', schemes.hmac({ header: 'x-acturity-signature', prefix: 'sha256=' }), 'act_secret'],
  ['AWSYS.CO', schemes.hmac({ header: 'x-awsys-signature' }), 'awsys_secret'],
  ['Linka Factory', schemes.timestamped({ header: 'x-linka-factory-signature' }), 'lf_secret'],
  [
    'Aktify v1',
    schemes.timestamped({ header: 'aktify-signature', unit: 'ms', content: '{body}' }),
    'ak_secret',
  ],
  ['Aktify v2', schemes.timestamped({ header: 'aktify-signature', unit: 'ms', version: 'v2' }), 'ak_secret'],
  ['Activly (token)', schemes.token({ query: 'token' }), 'act_in_token'],
  ['Standard Webhooks', schemes.standard(), 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
  ['Stripe-style', schemes.timestamped({ header: 'stripe-signature' }), 'whsec_stripe'],
];

let failures = 0;
for (const [name, scheme, secret] of formats) {
  const headers = await sign(scheme, { secret, body });
  const url = signUrl(scheme, { secret, url: 'https://receiver.example/hooks' });
  await verify(scheme, { secret, body, headers, url });
  let rejected = 'not rejected';
  try {
    await verify(scheme, {
      secret,
      body: `${body} `,
      headers,
      url: url.replace(/token=[^&]*/, 'token=guess'),
    });
  } catch (error) {
    rejected = isWebhookVerificationError(error) ? error.code : String(error);
  }
  if (rejected === 'not rejected') {
    failures++;
  }
  const shown = Object.entries(headers).map(([k, v]) => `${k}: ${v.slice(0, 40)}…`);
  console.log(`${name.padEnd(18)} verified; tampered copy -> ${rejected}`);
  console.log(`  ${shown.join('\n  ') || url}`);
}
process.exit(failures === 0 ? 0 : 1);
