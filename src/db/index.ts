export { type AdvisoryLock, advisoryLockKey, tryAdvisoryLock } from "./advisory-lock.js";
export { AdvisoryLockPool } from "./advisory-lock-pool.js";
export {
  createDatabaseClient,
  type DatabaseClient,
  type DatabaseClientOptions,
  type PrismaClient,
} from "./client.js";
export {
  type ApprovalAction,
  type ApprovalRequest,
  type DecisionSource,
  type OutboxEffect,
  type PhaseAttempt,
  Prisma,
  type RevisionRequest,
  type Run,
  type RunEvent,
  type RunState,
  type Session,
  type UsageSource,
} from "./generated/client.js";
export {
  type ApplyMigrationsOptions,
  applyMigrations,
  migrationsDirectory,
  readMigrationList,
} from "./migrations.js";
export { type DiffSide, diffSchemas, type SchemaDiff } from "./schema-diff.js";
