/** Levers on a running replica, the same on both engines so a test can be written once. */
export interface ReplicaControl {
  /** The replica keeps receiving changes but stops applying them (lag grows, the connection stays up). */
  stopApply(): Promise<void>;
  startApply(): Promise<void>;
  /**
   * The replica applies each change `seconds` after the primary committed it, replication running
   * all along: real lag, as a slow replica shows it. 0 removes the delay.
   */
  setApplyDelay(seconds: number): Promise<void>;
  /** The replica stops receiving changes from the primary. */
  stopIoThread(): Promise<void>;
  startIoThread(): Promise<void>;
  /** Ends the replica's server abruptly, as a crash would; its port refuses connections until restarted. */
  killReplica(): Promise<void>;
  /** Starts the killed replica on the same port and data; resolves when it accepts connections again. */
  restartReplica(): Promise<void>;
}

export interface PostgresReplicaControl extends ReplicaControl {
  /** `pg_wal_replay_pause()` on the replica (the same as stopApply). */
  pauseReplay(): Promise<void>;
  /** `pg_wal_replay_resume()` on the replica (the same as startApply). */
  resumeReplay(): Promise<void>;
}

export interface MariadbReplicaControl extends ReplicaControl {
  /** `STOP SLAVE SQL_THREAD` on the replica (the same as stopApply). */
  stopSqlThread(): Promise<void>;
  /** `START SLAVE SQL_THREAD` on the replica (the same as startApply). */
  startSqlThread(): Promise<void>;
}

export interface ReplicaPair<C extends ReplicaControl = ReplicaControl> {
  readonly engine: 'postgres' | 'mysql';
  /** Superuser URL of the rig's database on the primary. */
  readonly primaryUrl: string;
  /** The same database on the replica (read-only). */
  readonly replicaUrl: string;
  /** How lowtide should name the replica; also what the primary's own view calls it (PostgreSQL). */
  readonly replicaName: string;
  readonly control: C;
  /** Milliseconds from the call to a pair replicating and ready. */
  readonly startupMs: number;
  /** Resolves when the replica has applied everything the primary had written when it was called. */
  syncReplica(timeoutMs?: number): Promise<void>;
  /** Stops both servers and deletes their files. Idempotent. */
  stop(): Promise<void>;
}
