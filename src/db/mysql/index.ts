export { describeMysqlUrl, mysqlConnectionOptions } from './connection-options';
export { createMysqlDatabase, type MysqlDatabaseOptions } from './database';
export { mysqlDialect, UnsafeIdentifierError } from './dialect';
export { isDriverError, toDbError } from './errors';
export { planFromExplain } from './explain';
export { mysqlLockName } from './lock-name';
export { replicaLagFromStatus } from './replica-status';
export { type MysqlFlavour, parseServerVersion } from './server-info';
