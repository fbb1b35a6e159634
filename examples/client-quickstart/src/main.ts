// Quick start for @hookwire/client. Run a Hookwire server, then:
//   HOOKWIRE_URL=http://localhost:8080 HOOKWIRE_API_KEY=hwk_... pnpm --filter @hookwire-example/client-quickstart start
// The README's quick start is copied from the lines between the markers; CI typechecks this file.
import { createHookwireClient, isHookwireApiError } from '@hookwire/client';

// Your event catalog as types (or `typeof catalog` from @hookwire/events' defineCatalog).
type AppEvents = {
  'link.click': { linkId: string; country: string };
  'link.created': { linkId: string; url: string };
};

async function main(): Promise<void> {
  // --- quick start ---
  const hw = createHookwireClient<AppEvents>({
    baseUrl: process.env.HOOKWIRE_URL ?? 'http://localhost:8080',
    apiKey: process.env.HOOKWIRE_API_KEY ?? '',
  });

  const endpoint = await hw.webhooks.create({ url: 'https://example.org/webhooks', events: ['link.click'] });
  console.log('signing secret, shown once:', endpoint.secret);

  const test = await hw.webhooks.sendTest(endpoint.id);
  console.log('test delivery:', test.succeeded, test.attempt.statusCode, `${test.attempt.durationMs} ms`);

  const { id } = await hw.events.publish({ type: 'link.click', data: { linkId: 'lnk_1', country: 'FR' } });

  for await (const delivery of hw.deliveries.list({ webhookId: endpoint.id })) {
    console.log(id, delivery.status, delivery.attemptCount, delivery.lastStatusCode);
  }
  // --- end ---
}

main().catch((error: unknown) => {
  if (isHookwireApiError(error)) {
    // A stable code to branch on, the server's advice, and the request id for bug reports.
    console.error(
      `${error.code} (HTTP ${error.status}): ${error.detail ?? error.title} [${error.requestId}]`,
    );
    for (const issue of error.errors) {
      console.error(`  ${issue.path}: ${issue.message}`);
    }
  } else {
    console.error(error);
  }
  process.exitCode = 1;
});
