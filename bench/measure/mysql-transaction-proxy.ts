import { type ConnectionTap, startTcpProxy } from '../../src/runtime/local/tcp-proxy';

export interface TransactionTimes {
  readonly transactions: number;
  readonly longestMs: number;
  readonly totalMs: number;
}

export interface MysqlTransactionProxy {
  /** Where clients connect instead of the server (127.0.0.1). */
  readonly port: number;
  times(): TransactionTimes;
  close(): Promise<void>;
}

const COM_QUERY = 0x03;
const DATA_STATEMENT = /^\s*(\/\*.*?\*\/\s*)*(select\b[\s\S]*\bfrom\b|insert\b|update\b|delete\b|replace\b)/i;
const TX_END = /^\s*(commit|rollback)\b/i;
const TX_BEGIN = /^\s*(begin|start\s+transaction)\b/i;
const AUTOCOMMIT = /^\s*set\s+(?:session\s+|@@session\.|@@)?autocommit\s*=\s*(\w+)/i;

/**
 * Times transactions of a program we cannot instrument (pt-archiver) by watching its MySQL
 * protocol on the way to the server: a transaction runs from its first data statement (or BEGIN)
 * to the server's reply to its COMMIT; with autocommit on, each data statement is one. Only the
 * client's packets are parsed (plain protocol: the bench connects without TLS or compression).
 * With `roundTripDelayMs` it also adds that much to each round trip, as the AWS profile does.
 */
export async function startMysqlTransactionProxy(
  target: { host: string; port: number },
  options: { readonly roundTripDelayMs?: number } = {},
): Promise<MysqlTransactionProxy> {
  let transactions = 0;
  let longestMs = 0;
  let totalMs = 0;
  const finish = (startedAt: number) => {
    const ms = performance.now() - startedAt;
    transactions++;
    totalMs += ms;
    longestMs = Math.max(longestMs, ms);
  };

  const tap = (): ConnectionTap => {
    let autocommit = true;
    let openSince: number | undefined;
    let endsOnReply = false;
    let explicit = false;
    let pending = Buffer.alloc(0);
    const onQuery = (text: string) => {
      const set = AUTOCOMMIT.exec(text);
      if (set) autocommit = ['1', 'on', 'true'].includes(set[1]!.toLowerCase());
      if (TX_BEGIN.test(text)) {
        explicit = true;
        openSince ??= performance.now();
      } else if (TX_END.test(text)) {
        explicit = false;
        endsOnReply = openSince !== undefined;
      } else if (DATA_STATEMENT.test(text)) {
        openSince ??= performance.now();
        // In autocommit mode the statement commits with its own reply.
        if (autocommit && !explicit) endsOnReply = true;
      }
    };
    return {
      fromClient(chunk) {
        pending = Buffer.concat([pending, chunk]);
        // Every packet: 3-byte little-endian length, 1-byte sequence, payload. Commands start at sequence 0.
        while (pending.length >= 4) {
          const length = pending.readUIntLE(0, 3);
          if (pending.length < 4 + length) break;
          const sequence = pending[3];
          const payload = pending.subarray(4, 4 + length);
          if (sequence === 0 && payload[0] === COM_QUERY) onQuery(payload.subarray(1).toString('utf8'));
          pending = pending.subarray(4 + length);
        }
      },
      fromServer() {
        if (endsOnReply && openSince !== undefined) {
          finish(openSince);
          openSince = undefined;
          endsOnReply = false;
        }
      },
    };
  };

  const proxy = await startTcpProxy({ target, tap, roundTripDelayMs: options.roundTripDelayMs ?? 0 });
  return {
    port: proxy.port,
    times: () => ({ transactions, longestMs, totalMs }),
    close: () => proxy.close(),
  };
}
