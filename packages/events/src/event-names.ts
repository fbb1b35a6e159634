import { InvalidEventsError } from './errors.js';

/** Longest accepted event name; longer names are rejected rather than stored. */
export const MAX_EVENT_NAME_LENGTH = 256;

/**
 * `<resource>.<action>`: at least two dot-separated segments, each lower case ASCII letters, digits and `_`,
 * starting with a letter (`link.click`, `campaign.click.recorded`, `link.limit_reached`).
 */
const EVENT_NAME = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$/;

/**
 * True when `name` follows the `<resource>.<action>` convention. Short names such as `click` are invalid.
 *
 * @example
 * isValidEventName('link.click'); // true
 * isValidEventName('click'); // false
 */
export function isValidEventName(name: string): boolean {
  return typeof name === 'string' && name.length <= MAX_EVENT_NAME_LENGTH && EVENT_NAME.test(name);
}

function display(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Splits names into valid and invalid ones, each de-duplicated in first-seen order. A name is invalid when it
 * is not a string, breaks the `<resource>.<action>` convention, or (when `known` is given) is not in `known`.
 *
 * @example
 * validateEventNames(['link.click', 'click'], links.types); // { valid: ['link.click'], invalid: ['click'] }
 */
export function validateEventNames(
  names: readonly unknown[],
  known?: Iterable<string>,
): { valid: string[]; invalid: string[] } {
  const knownSet = known === undefined ? undefined : new Set(known);
  const valid = new Set<string>();
  const invalid = new Set<string>();
  for (const name of names) {
    if (typeof name === 'string' && isValidEventName(name) && (!knownSet || knownSet.has(name))) {
      valid.add(name);
    } else {
      invalid.add(display(name));
    }
  }
  return { valid: [...valid], invalid: [...invalid] };
}

/** Edit distance, bounded by the short lengths of event names. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(current[j - 1]! + 1, previous[j]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known name a user most likely meant: the one whose action is `name` (`click` -> `link.click`), or a
 * close spelling (`link.clik` -> `link.click`).
 */
export function suggestEventName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    if (candidate.endsWith(`.${name}`)) {
      return candidate;
    }
    const d = distance(name, candidate);
    if (d < bestDistance && d <= Math.max(2, Math.floor(candidate.length / 5))) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Returns the valid, de-duplicated names, or throws an {@link InvalidEventsError} (`code: 'INVALID_EVENTS'`)
 * listing every invalid one, with a suggestion where one is close.
 *
 * @example
 * assertEventNames(req.body.events, links.types); // throws for ['click']: Invalid event names: "click" (did you mean "link.click"?) ...
 */
export function assertEventNames(names: readonly unknown[], known?: Iterable<string>): string[] {
  const knownList = known === undefined ? undefined : [...known];
  const { valid, invalid } = validateEventNames(names, knownList);
  if (invalid.length > 0) {
    const listed = invalid
      .map((name) => {
        const suggestion = knownList ? suggestEventName(name, knownList) : undefined;
        return suggestion ? `"${name}" (did you mean "${suggestion}"?)` : `"${name}"`;
      })
      .join(', ');
    const hint = knownList
      ? `Use full prefixed event names from the catalog: ${knownList.join(', ')}.`
      : 'Use full prefixed event names in the form <resource>.<action>, e.g. "link.click".';
    throw new InvalidEventsError(invalid, `Invalid event names: ${listed}. ${hint}`);
  }
  return valid;
}

/**
 * Groups event names by resource (the first segment), keeping first-seen order, for catalogs shown by
 * category in dashboards and docs. A name without a dot is its own resource.
 *
 * @example
 * groupEventTypes(['link.click', 'campaign.click.recorded', 'link.created']);
 * // [{ resource: 'link', types: ['link.click', 'link.created'] }, { resource: 'campaign', types: [...] }]
 */
export function groupEventTypes(types: Iterable<string>): { resource: string; types: string[] }[] {
  const groups = new Map<string, Set<string>>();
  for (const type of types) {
    const dot = type.indexOf('.');
    const resource = dot === -1 ? type : type.slice(0, dot);
    const group = groups.get(resource) ?? new Set<string>();
    group.add(type);
    groups.set(resource, group);
  }
  return [...groups].map(([resource, group]) => ({ resource, types: [...group] }));
}
