import type { TestProject } from 'vitest/node';
import { type StageServers, startStage } from '../../rehearsal/databases/stage';
import type { RehearsalStage } from '../../rehearsal/template/stage';
import { resolveTestDatabases, type TestDatabaseUrls } from './servers';

declare module 'vitest' {
  export interface ProvidedContext {
    databases: TestDatabaseUrls;
    /** The rehearsal's stage for this run (one synth shared by its engine files), or why there is none. */
    rehearsal: { stage: RehearsalStage; certificatePem: string } | { error: string };
  }
}

/**
 * Finds the PostgreSQL and MySQL servers once for the whole run (local servers, or containers when
 * a Docker engine is there and they are not) and hands their URLs to every test file. Starts the
 * rehearsal's TLS front doors before them too: the rehearsal's test files share one stage, and so
 * one synthesized app, per run.
 */
export default async function setup(project: TestProject) {
  const { urls, stop } = await resolveTestDatabases();
  project.provide('databases', urls);
  let stage: StageServers | undefined;
  try {
    stage = await startStage(urls);
    project.provide('rehearsal', { stage: stage.stage, certificatePem: stage.certificatePem });
  } catch (error) {
    project.provide('rehearsal', { error: (error as Error).message });
  }
  return async () => {
    await stage?.close();
    await stop();
  };
}
