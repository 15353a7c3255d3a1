import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';

export interface LocalDynamoClients {
  readonly client: DynamoDBClient;
  readonly documentClient: DynamoDBDocumentClient;
}

export interface LocalDynamo extends LocalDynamoClients {
  /** `http://127.0.0.1:<port>`: hand it to another process so it sees the same state. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface LocalDynamoOptions {
  /** Directory that keeps the data across restarts; in memory when absent. One process at a time. */
  readonly path?: string;
  /** Defaults to a free port. */
  readonly port?: number;
}

/** Starts DynamoDB in this process (dynalite) on 127.0.0.1, for the local runtime, the CLI and tests. */
export async function startLocalDynamo(options: LocalDynamoOptions = {}): Promise<LocalDynamo> {
  // Tables become ACTIVE almost at once: nothing local gains from waiting half a second per table.
  const server = dynalite({ path: options.path, createTableMs: 10, deleteTableMs: 10, updateTableMs: 10 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const clients = connectLocalDynamo(endpoint);
  return {
    endpoint,
    ...clients,
    stop: async () => {
      clients.documentClient.destroy();
      clients.client.destroy();
      // Keep-alive sockets would hold close() open until they time out.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/**
 * Clients for a local endpoint (this process's or another's). The SDK's own retries are off: the
 * control store retries transient errors itself, so what happens is decided in one place.
 */
export function connectLocalDynamo(endpoint: string): LocalDynamoClients {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'lowtide-local', secretAccessKey: 'lowtide-local' },
    maxAttempts: 1,
  });
  const documentClient = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { client, documentClient };
}
