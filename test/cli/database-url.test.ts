import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectionEnvName, engineOfUrl, redactUrl, resolveDatabaseUrl } from '../../src/cli/database-url';
import { BadInputError } from '../../src/cli/errors';
import { defineJob } from '../../src/job/define-job';

const spec = defineJob({
  id: 'url-test',
  owner: 'tests',
  engine: 'postgres',
  database: 'orders-eu',
  kind: 'delete',
  table: 'events',
  key: 'id',
  where: 'true',
});

describe('resolveDatabaseUrl', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'lowtide-url-'));
  });
  afterEach(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  const flagUrl = 'postgres://flag@db/x';
  const specificUrl = 'postgres://specific@db/x';
  const fileUrl = 'postgres://file@db/x';
  const generalUrl = 'postgres://general@db/x';

  it('takes the most specific source: flag, per-connection variable, connections file, DATABASE_URL', async () => {
    await writeFile(join(cwd, 'lowtide.connections.json'), JSON.stringify({ 'orders-eu': fileUrl }));
    const env = { LOWTIDE_DATABASE_URL_ORDERS_EU: specificUrl, DATABASE_URL: generalUrl };
    expect(await resolveDatabaseUrl(spec, { flag: flagUrl, env, cwd })).toEqual({
      url: flagUrl,
      source: '--database-url',
    });
    expect(await resolveDatabaseUrl(spec, { env, cwd })).toEqual({
      url: specificUrl,
      source: 'LOWTIDE_DATABASE_URL_ORDERS_EU',
    });
    expect(await resolveDatabaseUrl(spec, { env: { DATABASE_URL: generalUrl }, cwd })).toEqual({
      url: fileUrl,
      source: 'lowtide.connections.json ("orders-eu")',
    });
    await rm(join(cwd, 'lowtide.connections.json'));
    expect(await resolveDatabaseUrl(spec, { env: { DATABASE_URL: generalUrl }, cwd })).toEqual({
      url: generalUrl,
      source: 'DATABASE_URL',
    });
  });

  it('says every way to provide a URL when there is none', async () => {
    await expect(resolveDatabaseUrl(spec, { env: {}, cwd })).rejects.toThrow(
      "no database URL for job 'url-test' (connection 'orders-eu'): pass --database-url, set LOWTIDE_DATABASE_URL_ORDERS_EU or DATABASE_URL, or add \"orders-eu\" to lowtide.connections.json",
    );
  });

  it('refuses a URL for the other engine, and a connections file that is not a name-to-URL object', async () => {
    await expect(resolveDatabaseUrl(spec, { flag: 'mysql://root@db/x', env: {}, cwd })).rejects.toThrow(
      "job 'url-test' is a postgres job but --database-url is a mysql URL",
    );
    await writeFile(join(cwd, 'lowtide.connections.json'), '{ not json');
    await expect(resolveDatabaseUrl(spec, { env: {}, cwd })).rejects.toBeInstanceOf(BadInputError);
    await writeFile(join(cwd, 'lowtide.connections.json'), JSON.stringify({ 'orders-eu': 42 }));
    await expect(resolveDatabaseUrl(spec, { env: {}, cwd })).rejects.toThrow(
      '"orders-eu" must be a database URL string',
    );
  });
});

describe('URL helpers', () => {
  it('maps schemes to engines and refuses the rest', () => {
    expect(engineOfUrl('postgresql://h/d')).toBe('postgres');
    expect(engineOfUrl('mariadb://h/d')).toBe('mysql');
    expect(() => engineOfUrl('sqlite:lowtide.db')).toThrow("scheme 'sqlite:'");
    expect(() => engineOfUrl('not a url')).toThrow('is not a URL');
  });

  it('masks passwords and names the per-connection variable', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/orders')).toBe('postgres://app:***@db:5432/orders');
    expect(connectionEnvName('orders-eu')).toBe('LOWTIDE_DATABASE_URL_ORDERS_EU');
  });
});
