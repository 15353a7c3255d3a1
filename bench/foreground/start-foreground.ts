import { probeCommand } from '../child-process';
import type { BenchSettings } from '../settings';
import { startNodeLoad } from './node-load';
import { startPgbenchLoad } from './pgbench-load';
import type { ForegroundConfig, ForegroundLoad } from './types';

export interface ForegroundDriver {
  readonly name: ForegroundLoad['driver'];
  /** Why this driver: pgbench when it is there for PostgreSQL, else the Node load. */
  readonly note: string;
  start(config: ForegroundConfig): Promise<ForegroundLoad>;
}

/** Picks the foreground driver for an engine once per run. */
export async function foregroundDriver(
  engine: ForegroundConfig['engine'],
  settings: BenchSettings,
): Promise<ForegroundDriver> {
  const node: ForegroundDriver = {
    name: 'node',
    note: 'a Node process with the same operations (mysql2 / pg), open-loop at the same rate',
    start: startNodeLoad,
  };
  if (engine !== 'postgres' || !settings.usePgbench) return node;
  const probe = await probeCommand(settings.pgbench, ['--version']);
  if (!probe.ok) {
    return { ...node, note: `${node.note}; pgbench unavailable (${probe.reason})` };
  }
  return {
    name: 'pgbench',
    note: `${probe.version}, custom script, -R rate, per-transaction log`,
    start: (config) => startPgbenchLoad(config, settings.pgbench),
  };
}
