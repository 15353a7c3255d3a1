import { probeCommand, runProcess } from '../child-process';
import { ContenderFailedError } from '../errors';
import { startMysqlTransactionProxy } from '../measure/mysql-transaction-proxy';
import type { Contender } from './types';

const INSTALL_HINT =
  'install Percona Toolkit (Debian/Ubuntu: apt-get install percona-toolkit) or set LOWTIDE_BENCH_PT_ARCHIVER to its path';

/** The flags the issue names: 1,000 rows a chunk, a commit per chunk, one DELETE per chunk. */
export const PT_ARCHIVER_FLAGS = ['--limit', '1000', '--commit-each', '--bulk-delete', '--purge'] as const;

/** A DSN value cannot carry the separators of pt-archiver's DSN syntax. */
function dsnValue(name: string, value: string): string {
  if (/[,=]/.test(value)) {
    throw new ContenderFailedError(
      `the MySQL ${name} contains ',' or '=', which pt-archiver's DSN cannot carry: use another account for the bench`,
    );
  }
  return value;
}

function rowsDeleted(statistics: string): number {
  const match = /^DELETE (\d+)$/m.exec(statistics);
  if (!match) throw new ContenderFailedError(`pt-archiver printed no DELETE count:\n${statistics}`);
  return Number(match[1]);
}

/**
 * Percona's pt-archiver purging the MySQL table. It runs as its own process, talking to the server
 * through a proxy that times each of its transactions from the protocol (it reports no per-chunk
 * times itself).
 */
export const ptArchiver: Contender = {
  name: 'pt-archiver',
  description: `pt-archiver ${PT_ARCHIVER_FLAGS.join(' ')}`,
  appliesTo: (engine, item) => engine === 'mysql' && item.kind === 'purge',
  async availability(settings) {
    const probe = await probeCommand(settings.ptArchiver, ['--version']);
    if (!probe.ok) return { available: false, reason: `${probe.reason}: ${INSTALL_HINT}` };
    // pt-archiver starts without its MySQL driver and only fails once it connects.
    const driver = await probeCommand('perl', ['-MDBD::mysql', '-e', 'print "ok"']);
    if (!driver.ok) {
      return {
        available: false,
        reason: `pt-archiver is installed but Perl's DBD::mysql is not (${driver.reason}): ${INSTALL_HINT}, which brings it`,
      };
    }
    return { available: true };
  },
  async run({ database, item, settings, latency }) {
    const url = new URL(database.url);
    const proxy = await startMysqlTransactionProxy(
      { host: url.hostname, port: Number(url.port || 3306) },
      { roundTripDelayMs: latency.databaseRoundTripMs },
    );
    try {
      const dsn = [
        'h=127.0.0.1',
        `P=${proxy.port}`,
        `u=${dsnValue('user', decodeURIComponent(url.username) || 'root')}`,
        ...(url.password ? [`p=${dsnValue('password', decodeURIComponent(url.password))}`] : []),
        // The tables are utf8mb4; pt-archiver refuses a connection charset that differs.
        'A=utf8mb4',
        `D=${database.name}`,
        `t=${item.table}`,
      ].join(',');
      const started = performance.now();
      const result = await runProcess(
        settings.ptArchiver,
        ['--source', dsn, '--where', item.where, ...PT_ARCHIVER_FLAGS, '--statistics'],
        { timeoutMs: settings.contenderTimeoutSeconds * 1000 },
      );
      const wallMs = performance.now() - started;
      if (result.timedOut) {
        throw new ContenderFailedError(
          `pt-archiver did not finish within ${settings.contenderTimeoutSeconds} s (LOWTIDE_BENCH_TIMEOUT_SECONDS)`,
        );
      }
      if (result.code !== 0) {
        throw new ContenderFailedError(
          `pt-archiver exited with ${result.code ?? result.signal}: ${result.stderr.trim() || result.stdout.trim()}`,
        );
      }
      const times = proxy.times();
      return {
        rows: rowsDeleted(result.stdout),
        wallMs,
        longestTxMs: times.longestMs,
        transactions: times.transactions,
        longestTxSource: 'first statement to the reply to COMMIT, read from its MySQL protocol by a proxy',
      };
    } finally {
      await proxy.close();
    }
  },
};
