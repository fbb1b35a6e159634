/**
 * Deepest object/array nesting a request body may have. Far beyond any real payload, far below the depth at
 * which the recursive `JSON.stringify` (size check, idempotency hash, rendering) overflows the stack: a
 * 20 KB body of 10,000 nested arrays used to parse fine and then answer 500.
 */
export const MAX_JSON_DEPTH = 128;

/**
 * The deepest `{`/`[` nesting of a JSON text, brackets inside strings ignored. One linear pass without
 * recursion, so it is safe on exactly the inputs it exists to refuse. Run it before `JSON.parse`.
 *
 * @example jsonDepth('{"a":[1,{"b":"]"}]}') // 3
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) {
        i++; // a backslash escapes the next character, including a quote
      } else if (c === 0x22) {
        inString = false;
      }
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) {
        max = depth;
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return max;
}
