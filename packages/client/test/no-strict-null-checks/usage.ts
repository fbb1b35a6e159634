// Proves the public types still work for consumers compiling without strictNullChecks
// (openapi-fetch's test/no-strict-null-checks trick): typed publish, responses and errors.
import { createHookwireClient, isHookwireApiError } from '../../src/index.js';

type AppEvents = { 'link.click': { linkId: string; country: string } };

export async function usage(): Promise<string> {
  const hw = createHookwireClient<AppEvents>({ baseUrl: 'http://127.0.0.1:1', apiKey: 'hwk_k' });
  const created = await hw.webhooks.create({ url: 'https://x.test', events: ['link.click'] });
  const secret: string = created.secret;
  await hw.events.publish({ type: 'link.click', data: { linkId: 'l', country: 'FR' } });
  // @ts-expect-error unknown event names stay errors without strictNullChecks
  await hw.events.publish({ type: 'link.nope', data: { linkId: 'l', country: 'FR' } });
  for await (const d of hw.deliveries.list({ status: 'failed' })) {
    const code: number = d.lastStatusCode;
    void code;
  }
  try {
    await hw.webhooks.get('wh_x');
  } catch (e) {
    if (isHookwireApiError(e)) {
      return e.code;
    }
  }
  return secret;
}
