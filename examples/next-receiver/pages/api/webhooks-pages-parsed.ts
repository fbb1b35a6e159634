import { links } from '@hookwire/events/catalogs/links';
import { createApiRoute } from '@hookwire/next/pages';

// DELIBERATELY MISCONFIGURED, kept to show (and test) what happens when Next's body parser stays on:
// every request is answered 500 `body_already_parsed` with the fix, and the handler never runs.
export default createApiRoute({ secret: process.env.HOOKWIRE_WEBHOOK_SECRET!, catalog: links }, () => {
  throw new Error('unreachable: the body was parsed, so nothing can be verified');
});
