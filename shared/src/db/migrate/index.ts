// Prisma migrations without the native engine binary: see runner.ts (commands) and adapter-factory.ts.
export { poolConfigFromUrl, describeTarget, ensureDatabase } from './connection.js';
export { openSchemaEngine, engineErrorMessage, type SchemaFile } from './engine.js';
export { readMigrationsList, migrationChecksum, writeMigration, lockfileContent } from './migrations-dir.js';
export {
  applyMigrations,
  migrationStatus,
  createMigration,
  resolveMigration,
  diffDatabaseToSchema,
  diffEmptyToSchema,
  diffMigrationsToSchema,
  migrationFolderName,
  type MigrateOptions,
  type MigrationStatus,
} from './runner.js';
