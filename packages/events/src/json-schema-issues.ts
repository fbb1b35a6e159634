import type { OutputUnit } from '@cfworker/json-schema';
import type { ValidationIssue } from './types.js';

/** Keywords whose error summarises alternatives: keep it and drop the per-branch noise under it. */
const ALTERNATIVES = new Set(['anyOf', 'oneOf']);
const OPEN_OBJECT = new Set(['additionalProperties', 'unevaluatedProperties']);

function decodePointer(pointer: string): string[] {
  const body = pointer.startsWith('#') ? pointer.slice(1) : pointer;
  if (body === '' || body === '/') {
    return body === '/' ? [''] : [];
  }
  return body
    .slice(1)
    .split('/')
    .map((segment) => decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Turns pointer segments into a path, with numbers for array indexes (as Standard Schema libraries report). */
function toPath(segments: string[], data: unknown): (string | number)[] {
  const path: (string | number)[] = [];
  let current: unknown = data;
  for (const segment of segments) {
    if (Array.isArray(current) && /^(?:0|[1-9]\d*)$/.test(segment)) {
      path.push(Number(segment));
      current = current[Number(segment)];
    } else {
      path.push(segment);
      current =
        typeof current === 'object' && current !== null
          ? (current as Record<string, unknown>)[segment]
          : undefined;
    }
  }
  return path;
}

const QUOTED = /"(.*)"/;

/**
 * Converts @cfworker/json-schema output into one issue per actual problem. Its output also reports every
 * ancestor keyword that failed because a child did ("Property "a" does not match schema."); those are
 * dropped, so each issue points at the deepest failing value, like zod/valibot/arktype issues do. A missing
 * required property is reported at the property's own path.
 */
export function jsonSchemaIssues(errors: readonly OutputUnit[], data: unknown): ValidationIssue[] {
  const alternatives = errors.filter((e) => ALTERNATIVES.has(e.keyword)).map((e) => `${e.keywordLocation}/`);
  const kept = errors.filter((error) => {
    if (alternatives.some((prefix) => error.keywordLocation.startsWith(prefix))) {
      return false;
    }
    if (ALTERNATIVES.has(error.keyword)) {
      return true;
    }
    const prefix = `${error.keywordLocation}/`;
    return !errors.some((other) => other !== error && other.keywordLocation.startsWith(prefix));
  });
  // An `additionalProperties: false` failure arrives twice: once at the object, once as "False boolean schema."
  // at the property. Keep one issue, at the property, with a message that says what is wrong.
  const closedObjects = new Set(
    kept.filter((e) => OPEN_OBJECT.has(e.keyword)).map((e) => e.instanceLocation),
  );
  const issues: ValidationIssue[] = [];
  for (const error of kept) {
    const segments = decodePointer(error.instanceLocation);
    if (error.keyword === 'false') {
      const parent = error.instanceLocation.slice(0, error.instanceLocation.lastIndexOf('/'));
      const name = segments[segments.length - 1] ?? '';
      issues.push({
        path: toPath(segments, data),
        message: closedObjects.has(parent) ? `Unexpected property "${name}".` : 'No value is allowed here.',
      });
      continue;
    }
    if (OPEN_OBJECT.has(error.keyword) && kept.some((e) => e.keyword === 'false')) {
      continue;
    }
    if (error.keyword === 'required') {
      const name = QUOTED.exec(error.error)?.[1];
      if (name !== undefined) {
        issues.push({ path: [...toPath(segments, data), name], message: 'Required property is missing.' });
        continue;
      }
    }
    issues.push({ path: toPath(segments, data), message: error.error });
  }
  return issues;
}
