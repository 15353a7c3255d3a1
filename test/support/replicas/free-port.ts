import { createServer } from 'node:net';

/**
 * A loopback port nobody listens on right now. Another process could take it before the server
 * binds; the servers then fail to start with "address in use" in their log, which the rig reports.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('the OS gave no port'))));
    });
  });
}
