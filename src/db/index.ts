export {
  createDatabaseClient,
  type DatabaseClient,
  type DatabaseClientOptions,
  type PrismaClient,
} from "./client.js";
export {
  type ApplyMigrationsOptions,
  applyMigrations,
  migrationsDirectory,
  readMigrationList,
} from "./migrations.js";
export { type DiffSide, diffSchemas, type SchemaDiff } from "./schema-diff.js";
