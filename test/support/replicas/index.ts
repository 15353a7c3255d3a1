// The replication rig: real PostgreSQL and MariaDB replica pairs on loopback, for lag tests.
export { type MariadbPairOptions, startMariadbReplicaPair } from './mariadb-pair';
export { type PostgresPairOptions, startPostgresReplicaPair } from './postgres-pair';
export type { MariadbReplicaControl, PostgresReplicaControl, ReplicaControl, ReplicaPair } from './types';
export { RigTimeoutError, waitUntil } from './wait-until';
