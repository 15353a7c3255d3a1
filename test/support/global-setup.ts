import type { TestProject } from 'vitest/node';
import { resolveTestDatabases, type TestDatabaseUrls } from './servers';

declare module 'vitest' {
  export interface ProvidedContext {
    databases: TestDatabaseUrls;
  }
}

/**
 * Finds the PostgreSQL and MySQL servers once for the whole run (local servers, or containers when
 * a Docker engine is there and they are not) and hands their URLs to every test file.
 */
export default async function setup(project: TestProject) {
  const { urls, stop } = await resolveTestDatabases();
  project.provide('databases', urls);
  return stop;
}
