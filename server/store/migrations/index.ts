/**
 * Ordered migrations; a migration's position in the list is its version. Each is written with
 * Kysely's schema builder so the same code runs on SQLite and PostgreSQL; the few type differences
 * (auto-increment ids, 64-bit integers) go through `SqlDialect`.
 */
import type { Migration } from 'kysely';
import type { SqlDialect } from '../db.js';
import { initialSchema } from './001-initial.js';
import { bridgeSchema } from './003-bridge.js';
import { hookInboxSchema } from './004-hook-inbox.js';
import { fileRetentionSchema } from './005-file-retention.js';
import { accountSettingsSchema } from './006-account-settings.js';
import { rateLimitSchema } from './007-rate-limits.js';
import { fileChunksSchema } from './008-file-chunks.js';
import { channelConnectionsSchema } from './009-channel-connections.js';
import { rateLimitExpirySchema } from './010-rate-limit-expiry.js';
import { messagePartsSchema } from './011-message-parts.js';
import { jobReadyIndexesSchema } from './012-job-ready-indexes.js';
import { jobHomeSchema } from './013-job-home.js';

export function migrations(dialect: SqlDialect): Record<string, Migration> {
  return {
    '001-initial': initialSchema(dialect),
    '003-bridge': bridgeSchema(dialect),
    '004-hook-inbox': hookInboxSchema(dialect),
    '005-file-retention': fileRetentionSchema(),
    '006-account-settings': accountSettingsSchema(dialect),
    '007-rate-limits': rateLimitSchema(dialect),
    '008-file-chunks': fileChunksSchema(dialect),
    '009-channel-connections': channelConnectionsSchema(dialect),
    '010-rate-limit-expiry': rateLimitExpirySchema(dialect),
    '011-message-parts': messagePartsSchema(dialect),
    '012-job-ready-indexes': jobReadyIndexesSchema,
    '013-job-home': jobHomeSchema(dialect),
  };
}
