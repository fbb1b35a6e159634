#!/usr/bin/env node
// Sends one signed `link.click` test event to the running example app, the way a Hookwire server would.
// Usage: HOOKWIRE_WEBHOOK_SECRET=whsec_... node scripts/send-test-event.mjs [url]
import { schemes, sign } from '@hookwire/signatures';

const url = process.argv[2] ?? 'http://127.0.0.1:3000/api/webhooks';
const secret = process.env.HOOKWIRE_WEBHOOK_SECRET;
if (!secret) {
  console.error('Set HOOKWIRE_WEBHOOK_SECRET to the secret the app was started with.');
  process.exit(1);
}

const id = `msg_test${Date.now()}`;
const body = JSON.stringify({
  metadata: { id, apiVersion: '2026-02-09', eventType: 'link.click', eventTime: new Date().toISOString() },
  data: {
    link_id: 'lnk_abc',
    short_url: 'https://sho.rt/abc',
    country: 'US',
    clicked_at: '2026-11-23T10:00:00.000Z',
  },
});
const headers = await sign(schemes.standard(), { secret, body, id });
const response = await fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body,
});
console.log(response.status, await response.text());
process.exitCode = response.ok ? 0 : 1;
