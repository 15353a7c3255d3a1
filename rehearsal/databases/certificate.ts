import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LoopbackCertificate {
  /** PEM of a self-signed certificate for 127.0.0.1 and localhost; it is its own trust anchor. */
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * A fresh self-signed server certificate for the loopback address, made with the openssl CLI
 * (Node can sign nothing itself). The functions verify the database's certificate as they do on
 * AWS (sslmode=verify-full, ssl rejectUnauthorized); the rehearsal's runtime trusts this one in
 * place of the RDS certificate bundle.
 */
export function loopbackCertificate(): LoopbackCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'lowtide-rehearsal-cert-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '30',
        '-subj',
        '/CN=lowtide rehearsal database',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'pipe' },
    );
    return { certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') };
  } catch (error) {
    throw new Error(
      `the rehearsal needs the openssl command to make its database certificate: ${(error as Error).message}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
