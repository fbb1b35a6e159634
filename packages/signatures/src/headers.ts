/**
 * Request headers as any runtime hands them over: a fetch `Headers`, or a plain object as Node gives it
 * (`IncomingHttpHeaders`: lower-case names, values may be arrays or undefined).
 */
export type HeadersInput =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * One header, matched case-insensitively. Repeated values (an array, or duplicate lines a `Headers` object
 * already joined) come back joined with `", "`, exactly as Node and fetch join duplicate header lines.
 */
export function getHeader(headers: HeadersInput, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  // Node already lower-cases names: try the direct hit before scanning.
  let value = Object.hasOwn(record, name) ? record[name] : undefined;
  if (value === undefined) {
    for (const key of Object.keys(record)) {
      if (key.length === name.length && key.toLowerCase() === name) {
        value = record[key];
        break;
      }
    }
  }
  if (value === undefined) {
    return undefined;
  }
  if (typeof value === 'string') {
    return value;
  }
  return Array.isArray(value) ? value.join(', ') : undefined;
}

/** RFC 9110 token characters: what a header name may contain. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
