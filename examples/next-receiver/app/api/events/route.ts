import { receivedEvents } from '../../../lib/received-events';

// Always read the live list (never prerendered at build time).
export const dynamic = 'force-dynamic';

/** Lists the events the Node.js webhook routes of this process received (a demo aid; no auth). */
export function GET(): Response {
  return Response.json({ events: receivedEvents() });
}
