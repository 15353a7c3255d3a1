export { advisoryLockKey } from './advisory-lock-key';
export { createPostgresDatabase, type PostgresDatabaseOptions } from './database';
export { postgresDialect, UnsafeIdentifierError } from './dialect';
export { toDbError } from './errors';
