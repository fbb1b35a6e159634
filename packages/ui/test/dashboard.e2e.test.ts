import { createHookwireClient, type HookwireClient } from '@hookwire/client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  horizontalOverflow,
  launchChromium,
  screenshot,
  tabStops,
  unlabelledControls,
} from './support/browser.js';
import { startReceiver } from './support/receiver.js';
import { ADMIN_KEY, type RunningServer, startServer } from './support/server.js';

// One retry 300 ms after the first attempt, then `failed`: failed deliveries appear within a second.
const PLANS = { quick: { maxEndpoints: 10, retrySchedule: [300] } };
const WAIT = { timeout: 20_000 };

/**
 * The dashboard end to end: the real built server (`hookwire serve --dev`) with the built `/ui`, a real
 * receiver that verifies signatures, and Debian's Chromium. The steps build on each other (one endpoint's
 * life), so they run in order.
 */
describe('the webhooks dashboard in Chromium', () => {
  let server: RunningServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let admin: HookwireClient;
  let a: { id: string; key: string; hw: HookwireClient };
  let b: { id: string; key: string; hw: HookwireClient };
  let webhookId = '';
  let failedDeliveryId = '';

  const tenant = async (name: string) => {
    const t = await admin.tenants.create({ name });
    const { key } = await admin.apiKeys.create(t.id, { name: 'dashboard e2e' });
    return { id: t.id, key, hw: createHookwireClient({ baseUrl: server.url, apiKey: key }) };
  };
  const rows = (p: Page, status?: string) =>
    p.locator(status ? `[data-testid=delivery-row][data-status=${status}]` : '[data-testid=delivery-row]');
  const waitForCount = async (p: Page, selector: string, n: number) =>
    p.waitForFunction(
      ([s, count]) => document.querySelectorAll(s as string).length >= (count as number),
      [selector, n] as const,
      WAIT,
    );
  const publish = async (count: number) => {
    for (let i = 0; i < count; i++) {
      await a.hw.events.publish({ type: 'link.click', data: { linkId: `lnk_${i}`, country: 'FR' } });
    }
  };
  /** Polls `check` every 100 ms, at most 150 times (15 s), then fails naming what it waited for. */
  const until = async (check: () => Promise<boolean>, what: string) => {
    for (let i = 0; i < 150; i++) {
      if (await check()) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`gave up waiting for ${what}`);
  };
  const deliveriesOf = async (status: 'failed' | 'succeeded') =>
    (await a.hw.deliveries.list({ webhookId, status, limit: 250 }).firstPage()).data;

  beforeAll(async () => {
    [server, receiver, browser] = await Promise.all([startServer(PLANS), startReceiver(), launchChromium()]);
    admin = createHookwireClient({ baseUrl: server.url, apiKey: ADMIN_KEY });
    a = await tenant('Acme');
    b = await tenant('Globex');
    for (const name of ['link.click', 'link.created', 'campaign.click.recorded']) {
      await a.hw.eventTypes.create({ name, description: `${name} happened` });
    }
    await b.hw.eventTypes.create({ name: 'order.paid' });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await server?.stop();
  }, 60_000);

  it('serves the app at /ui and signs in with a tenant API key (a wrong key is refused)', async () => {
    await page.goto(`${server.url}/ui`);
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor(WAIT);
    await screenshot(page, 'sign-in');
    await page.getByLabel('API key').fill('hw_0000000000000000_wrongwrongwrongwrongwrongwrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor(WAIT);
    expect(await page.getByRole('alert').textContent()).toMatch(/API key is unknown/);

    await page.getByLabel('API key').fill(a.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor(WAIT);
    // The heading renders before the list request answers: wait for the empty state, do not sample it.
    await page.getByText('No endpoints yet').waitFor(WAIT);
  });

  it('creates an endpoint: the form enforces event names, and shows the server’s URL and catalog errors', async () => {
    await page.getByRole('link', { name: 'Add endpoint' }).click();
    await page.getByRole('heading', { name: 'New endpoint' }).waitFor(WAIT);
    // The picker is fed by the catalog, grouped by resource.
    expect(await page.locator('fieldset.event-group legend').allTextContents()).toEqual([
      'campaign.click',
      'link',
    ]);

    await page.getByLabel('Endpoint URL').fill('http://169.254.169.254/latest/meta-data');
    await page.getByLabel('link.click').check();
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('alert').waitFor(WAIT);
    expect(await page.getByRole('alert').textContent()).toMatch(/169\.254\.169\.254/);

    await page.getByLabel('Endpoint URL').fill(receiver.url);
    await page.getByLabel('Other event names').fill('click');
    expect(await page.getByText('Not an event name: click').isVisible()).toBe(true);
    expect(await page.getByLabel('Other event names').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Other event names').fill('link.nonexistent');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('alert').filter({ hasText: 'link.nonexistent' }).waitFor(WAIT);
    await screenshot(page, 'new-endpoint');

    await page.getByLabel('Other event names').fill('');
    await page.getByLabel('Description').fill('CRM sync');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByTestId('secret-reveal').waitFor(WAIT);
    webhookId = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
    expect(webhookId).toMatch(/^wh_/);
  });

  it('shows the secret once, with a working copy button', async () => {
    const secret = await page.getByRole('textbox', { name: 'Signing secret' }).inputValue();
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Copy secret' }).click();
    await page.getByText('Copied to the clipboard.').waitFor(WAIT);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await screenshot(page, 'secret-once');
    receiver.state.secrets = [secret];

    await page.reload();
    await page.getByRole('heading', { name: 'Last 24 hours' }).waitFor(WAIT);
    expect(await page.getByTestId('secret-reveal').count()).toBe(0);
  });

  it('sends a test event and shows the attempt inline; the receiver verified it', async () => {
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByTestId('test-result').waitFor(WAIT);
    expect(await page.getByTestId('test-result').textContent()).toMatch(/Delivered · HTTP 200 · \d+ ms/);
    expect(await page.getByTestId('test-result').locator('pre').textContent()).toContain('"ok":true');
    expect(receiver.received.map((r) => r.verified)).toEqual([true]);
  });

  it('shows published events in the log as they are delivered (live refresh)', async () => {
    await page.getByRole('link', { name: 'Deliveries', exact: true }).click();
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor(WAIT);
    await waitForCount(page, '[data-testid=delivery-row]', 1);
    await publish(3); // through @hookwire/client, while the page is open
    await waitForCount(page, '[data-testid=delivery-row][data-status=succeeded]', 4);
    expect(await rows(page).count()).toBe(4);
    expect(await rows(page).first().locator('td').nth(1).textContent()).toBe('link.click'); // newest first
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    await screenshot(page, 'deliveries');
  });

  it('filters the log, and opens a failed delivery with its attempts, headers, payload and retry time', async () => {
    receiver.state.failing = true;
    await publish(1);
    await waitForCount(page, '[data-testid=delivery-row][data-status=failed]', 1);

    await page.getByLabel('Status').selectOption('failed');
    await page.getByLabel('Event type').selectOption('link.click');
    await page.getByLabel('Endpoint').selectOption(webhookId);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(() => window.location.hash.includes('status=failed'), undefined, WAIT);
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid=delivery-row]')].every(
          (r) => r.getAttribute('data-status') === 'failed',
        ),
      undefined,
      WAIT,
    );
    expect(await rows(page).count()).toBe(1);
    await page.getByLabel('Status').selectOption('cancelled');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No deliveries match.').waitFor(WAIT);
    await page.goBack();
    await waitForCount(page, '[data-testid=delivery-row][data-status=failed]', 1);

    await rows(page, 'failed').first().getByRole('link').click();
    await page.getByRole('heading', { name: 'Attempts' }).waitFor(WAIT);
    failedDeliveryId = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
    const attempts = page.getByTestId('attempt');
    expect(await attempts.count()).toBe(2);
    const first = (await attempts.first().textContent()) ?? '';
    expect(first).toMatch(/HTTP status500/);
    expect(first).toMatch(/Error kindhttp_status/);
    expect(first).not.toMatch(/Next retrynone/); // the first failure scheduled the retry
    expect(await attempts.last().textContent()).toMatch(/Next retrynone/);
    expect(await page.getByTestId('next-retry').textContent()).toBe('none scheduled');
    await attempts.first().getByText('Request headers').click();
    expect(await attempts.first().locator('table.headers').textContent()).toMatch(/webhook-signaturev1,/);
    expect(await page.locator('pre.code').textContent()).toContain('"eventType": "link.click"');
    expect(await attempts.first().locator('pre.preview').textContent()).toContain('receiver told to fail');
    await screenshot(page, 'delivery-failed');
  });

  it('redelivers the failed delivery, and follows it to success', async () => {
    receiver.state.failing = false;
    await page.getByRole('button', { name: 'Redeliver' }).click();
    await page.getByText('Queued for delivery now.').waitFor(WAIT);
    await waitForCount(page, '[data-testid=attempt]', 3);
    await page.locator('.facts .badge-succeeded').first().waitFor(WAIT);
    expect(await page.getByTestId('attempt').last().textContent()).toMatch(/Triggermanual/);
  });

  it('replays every failed delivery since a time and says how many it re-queued', async () => {
    receiver.state.failing = true;
    await publish(2);
    await until(async () => (await deliveriesOf('failed')).length >= 2, 'two failed deliveries');
    receiver.state.failing = false;
    await page.goto(`${server.url}/ui#/endpoints/${webhookId}`);
    await page.getByRole('button', { name: 'Replay failed' }).click();
    await page.getByText('Re-queued 2 failed deliveries').waitFor(WAIT);
    await until(async () => (await deliveriesOf('succeeded')).length >= 7, 'seven succeeded deliveries');
    expect(await deliveriesOf('failed')).toEqual([]);
  });

  it('draws the last 24 h per hour by outcome, with the success rate', async () => {
    await page.reload();
    await page.getByTestId('delivery-chart').waitFor(WAIT);
    expect(await page.locator('[data-testid=delivery-chart] rect.bar-succeeded').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=delivery-chart] svg').getAttribute('aria-label')).toMatch(
      /7 succeeded, 0 failed/,
    );
    expect(await page.getByTestId('success-rate').textContent()).toBe('100 %');
    await screenshot(page, 'endpoint');
    await page.getByRole('link', { name: 'Endpoints', exact: true }).click();
    await page.getByTestId('endpoint-card').waitFor(WAIT);
    expect(await page.getByTestId('endpoint-card').textContent()).toMatch(/Success \(24 h\): 100 %/);
    await screenshot(page, 'endpoints');
  });

  it('rotates the secret: the new one is shown once and signs the next delivery', async () => {
    await page.goto(`${server.url}/ui#/endpoints/${webhookId}`);
    const old = receiver.state.secrets[0];
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('button', { name: 'Confirm rotation' }).click();
    await page.getByTestId('secret-reveal').waitFor(WAIT);
    const rotated = await page.getByRole('textbox', { name: 'Signing secret' }).inputValue();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(old);
    receiver.state.secrets = [rotated]; // only the new secret: the delivery must carry its signature
    const before = receiver.received.length;
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByTestId('test-result').filter({ hasText: 'Delivered' }).waitFor(WAIT);
    expect(receiver.received.slice(before).map((r) => r.verified)).toEqual([true]);
  });

  it('edits and disables the endpoint', async () => {
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Edit endpoint' }).waitFor(WAIT);
    expect(await page.getByLabel('link.click').isChecked()).toBe(true);
    await page.getByLabel('Description').fill('CRM sync (EU)');
    await page.getByLabel('link.created').check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('CRM sync (EU)').waitFor(WAIT);
    expect(await page.locator('.facts').first().textContent()).toContain('link.click, link.created');

    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByText('Disabled (manual)').waitFor(WAIT);
    expect((await a.hw.webhooks.get(webhookId)).enabled).toBe(false);
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('button', { name: 'Disable' }).waitFor(WAIT);
  });

  it('signs in with a portal link (token out of the address bar); a broken link goes back to sign-in', async () => {
    const link = await admin.tenants.createPortalLink(a.id, { expiresInSeconds: 600 });
    expect(link.url).toBe(`${server.url}/ui#token=${link.token}`);
    const portal = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const p = await portal.newPage();
      await p.goto(link.url);
      await p.getByTestId('endpoint-card').waitFor(WAIT);
      expect(p.url()).not.toContain('token=');
      expect(await p.getByTestId('endpoint-card').textContent()).toContain(receiver.url);

      const tampered = `${link.url.slice(0, -4)}AAAA`;
      const q = await portal.newPage();
      await q.goto(tampered);
      await q.getByRole('alert').waitFor(WAIT);
      expect(await q.getByRole('alert').textContent()).toMatch(/link has expired or is no longer valid/);
      expect(await q.getByLabel('API key').isVisible()).toBe(true);
    } finally {
      await portal.close();
    }
  });

  it('is readable at 360 px (no sideways scrolling), reachable by keyboard, and labels every control', async () => {
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true });
    try {
      const p = await phone.newPage();
      const { url } = await admin.tenants.createPortalLink(a.id);
      await p.goto(url);
      const screens: [string, string, string][] = [
        ['#/endpoints', 'Endpoints', 'mobile-endpoints'],
        [`#/endpoints/${webhookId}`, 'Last 24 hours', 'mobile-endpoint'],
        ['#/endpoints/new', 'New endpoint', 'mobile-new-endpoint'],
        ['#/deliveries', 'Deliveries', 'mobile-deliveries'],
        [`#/deliveries/${failedDeliveryId}`, 'Attempts', 'mobile-delivery'],
      ];
      for (const [hash, heading, shot] of screens) {
        await p.goto(`${server.url}/ui${hash}`);
        await p.getByRole('heading', { name: heading }).first().waitFor(WAIT);
        await p.waitForLoadState('networkidle');
        expect(await horizontalOverflow(p), `${hash} scrolls sideways at 360 px`).toBeLessThanOrEqual(0);
        expect(await unlabelledControls(p), `${hash} has controls without a label`).toEqual([]);
        await screenshot(p, shot);
      }
    } finally {
      await phone.close();
    }

    await page.goto(`${server.url}/ui#/endpoints/${webhookId}`);
    await page.getByRole('heading', { name: 'Last 24 hours' }).waitFor(WAIT);
    const stops = await tabStops(page, 40);
    for (const control of ['Skip to content', 'Endpoints', 'Deliveries', 'Sign out', 'Send test event']) {
      expect(stops, `Tab never reached ${control}`).toContain(control);
    }
    for (const control of ['Replay failed', 'Edit', 'Disable', 'Rotate secret', 'Delete']) {
      expect(stops, `Tab never reached ${control}`).toContain(control);
    }
    await page.goto(`${server.url}/ui#/deliveries`);
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor(WAIT);
    const logStops = await tabStops(page, 25);
    for (const control of [
      'Live refresh',
      'Endpoint',
      'Event type',
      'Status',
      'From',
      'To',
      'Apply filters',
    ]) {
      expect(logStops, `Tab never reached ${control}`).toContain(control);
    }
  });

  it('shows a second tenant nothing of the first, by portal link or key', async () => {
    const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const p = await other.newPage();
      await p.goto((await admin.tenants.createPortalLink(b.id)).url);
      await p.getByText('No endpoints yet').waitFor(WAIT);
      await p.goto(`${server.url}/ui#/deliveries`);
      await p.getByText('No deliveries match.').waitFor(WAIT);
      expect(await p.locator('#f-endpoint option').allTextContents()).toEqual(['All endpoints']);
      expect(await p.locator('#f-type option').allTextContents()).toEqual([
        'All event types',
        'hookwire.test',
        'order.paid',
      ]);
      await p.goto(`${server.url}/ui#/deliveries/${failedDeliveryId}`);
      await p.getByRole('alert').waitFor(WAIT);
      expect(await p.getByRole('alert').textContent()).toMatch(/does not exist/);
      await p.goto(`${server.url}/ui#/endpoints/${webhookId}`);
      await p.getByRole('alert').waitFor(WAIT);
      expect(await p.content()).not.toContain(receiver.url);
      await screenshot(p, 'second-tenant');
    } finally {
      await other.close();
    }
    // The same through B's API key.
    expect((await b.hw.webhooks.list().firstPage()).data).toEqual([]);
  });

  it('deletes the endpoint', async () => {
    await page.goto(`${server.url}/ui#/endpoints/${webhookId}`);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Confirm delete' }).click();
    await page.getByText('No endpoints yet').waitFor(WAIT);
    expect((await a.hw.webhooks.list().firstPage()).data).toEqual([]);
  });
});
