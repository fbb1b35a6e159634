export {
  apiKeyMatches,
  apiKeyPrefix,
  generateApiKey,
  generateEndpointSecret,
  generateSourceToken,
  sha256Hex,
} from './crypto/keys.js';
export { createSecretBox, type SecretBox } from './crypto/secret-box.js';
export { HookwireServerError, isHookwireServerError, type ServerErrorCode } from './errors.js';
export { type IdPrefix, newId } from './ids.js';
export { matchesEventFilter } from './store/event-filter.js';
export type { Migration } from './store/sqlite-migrations.js';
export { SqliteStore, type SqliteStoreOptions } from './store/sqlite-store.js';
export type * from './store/store.js';

export const version = '0.0.0';
