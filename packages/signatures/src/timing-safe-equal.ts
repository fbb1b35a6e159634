/**
 * Constant-time equality of two byte arrays. Reads each view through its own `byteOffset` and `byteLength`,
 * so subarrays and Buffers from Node's pool compare the right bytes (the vendored helper in standardwebhooks
 * builds a DataView over `.buffer` and ignores the offset). Different lengths return `false` at once: the
 * length of a signature is public.
 *
 * @example timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([0, 1, 2]).subarray(1)) // true
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) {
    return false;
  }
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) {
    diff |= a[i]! ^ b[i]!;
  }
  return diff === 0;
}

/**
 * Constant-time equality of two strings of code units (used for base64 signatures, whose length is public).
 * Different lengths return `false` at once.
 */
export function timingSafeEqualString(a: string, b: string): boolean {
  if (a.length !== b.length) {
    return false;
  }
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  }
  return diff === 0;
}
