import { readFileSync } from 'node:fs';
import type { Scheme, VerificationErrorCode } from '../src/index.js';

/** One case of test-vectors/signatures.json (format: test-vectors/README.md). */
export interface VectorCase {
  name: string;
  source?: string;
  given: {
    scheme: Scheme;
    secrets: string[];
    signingSecrets?: string[];
    id?: string;
    timestamp?: string;
    now: string;
    body?: string;
    parsedBody?: unknown;
    headers: Record<string, string>;
    url?: string;
    toleranceSeconds?: number;
    maxBodyBytes?: number;
  };
  want:
    | { ok: true; id?: string; timestamp?: string; signedHeaders?: Record<string, string> }
    | { error: VerificationErrorCode };
}

export const vectors: VectorCase[] = JSON.parse(
  readFileSync(new URL('../../../test-vectors/signatures.json', import.meta.url), 'utf8'),
).cases;
