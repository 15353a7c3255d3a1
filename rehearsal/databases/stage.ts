import { randomBytes } from 'node:crypto';
import {
  databaseNameFor,
  REHEARSAL_ACCOUNT,
  REHEARSAL_REGION,
  type RehearsalEngine,
  type RehearsalStage,
  secretArnFor,
} from '../template/stage';
import { loopbackCertificate } from './certificate';
import { type FrontDoor, startFrontDoor } from './front-door';

export interface StageServers {
  readonly stage: RehearsalStage;
  /** The certificate the front doors present: the functions' runtime trusts it. */
  readonly certificatePem: string;
  readonly frontDoors: Readonly<Record<RehearsalEngine, FrontDoor>>;
  close(): Promise<void>;
}

/** host:port of a database URL. */
function backendOf(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) || (u.protocol.startsWith('postgres') ? 5432 : 3306) };
}

/**
 * A rehearsal run's stage: a run id, the TLS front doors before the PostgreSQL and MySQL servers
 * (admin URLs), and the names of the databases and secrets the run will create.
 */
export async function startStage(
  adminUrls: Readonly<Record<RehearsalEngine, string>>,
  options: {
    continueAsNewAfter?: number;
    /** Reuse a run id and front-door ports (and so an earlier synth): for working on the rehearsal itself. */
    reuse?: { runId: string; ports: Readonly<Record<RehearsalEngine, number>> };
  } = {},
): Promise<StageServers> {
  const runId = options.reuse?.runId ?? randomBytes(3).toString('hex');
  const certificate = loopbackCertificate();
  const ports = options.reuse?.ports;
  const postgres = await startFrontDoor(
    'postgres',
    backendOf(adminUrls.postgres),
    certificate,
    ports?.postgres,
  );
  const mysql = await startFrontDoor('mysql', backendOf(adminUrls.mysql), certificate, ports?.mysql).catch(
    async (error) => {
      await postgres.close();
      throw error;
    },
  );
  const database = (engine: RehearsalEngine, door: FrontDoor) => ({
    host: door.host,
    port: door.port,
    database: databaseNameFor(engine, runId),
    secretArn: secretArnFor(engine, runId),
  });
  return {
    stage: {
      runId,
      region: REHEARSAL_REGION,
      accountId: REHEARSAL_ACCOUNT,
      databases: { postgres: database('postgres', postgres), mysql: database('mysql', mysql) },
      continueAsNewAfter: options.continueAsNewAfter ?? 4,
    },
    certificatePem: certificate.certPem,
    frontDoors: { postgres, mysql },
    async close() {
      await Promise.all([postgres.close(), mysql.close()]);
    },
  };
}
