export { NO_LIMIT, flexibleOptions, fromFlexible, type LimitDecision, type LimitRule, type Limiter, type LimiterFactory } from './limiter.js';
export { createMemoryLimiter, DEFAULT_MAX_KEYS, memoryLimiters } from './memory-limiter.js';
export { openFileLimit, streamCapacity } from './stream-capacity.js';
export { takeAll, type LimitCheck, type Taken } from './take-all.js';
export { createPostgresLimiter, postgresFlexible, postgresLimiters, postgresSlots, postgresThrottles, type PostgresLimitStore } from './postgres-limiter.js';
