/** One event as a route saw it, kept so the e2e test (and you) can read what arrived. */
export interface ReceivedEvent {
  route: 'app-node' | 'pages';
  id: string;
  type: string;
  data: unknown;
  receivedAt: string;
}

// Next bundles each route separately (App Router and Pages even live in different webpack layers), so a
// module-level array would exist once per route. One process-wide array on globalThis is shared by every
// Node.js route; Edge routes run in their own sandbox and cannot see it.
const key = Symbol.for('hookwire-example.next-receiver.events');
const store = globalThis as typeof globalThis & { [key]?: ReceivedEvent[] };

/** The events received so far by the Node.js routes of this process, oldest first. */
export function receivedEvents(): ReceivedEvent[] {
  store[key] ??= [];
  return store[key];
}

/** Records an event; bounded so a long-running dev server does not grow without limit. */
export function recordEvent(event: Omit<ReceivedEvent, 'receivedAt'>): void {
  const events = receivedEvents();
  events.push({ ...event, receivedAt: new Date().toISOString() });
  if (events.length > 1000) {
    events.splice(0, events.length - 1000);
  }
}
