// The lab's own certificate authority and credentials, made with openssl so that nothing depends on the machine's
// trust store or on ~/.kube. Everything lives in the lab's temporary folder and dies with it.
import { execFile } from 'child_process';
import { promisify } from 'util';
import { join } from 'path';
import { writeFile } from 'fs/promises';

const run = promisify(execFile);

export interface LabPki {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  /** Client certificate of the cluster admin (group system:masters). */
  adminCert: string;
  adminKey: string;
  /** Client certificate of a user with only the permissions RBAC gives it (see rbac.ts). */
  limitedCert: string;
  limitedKey: string;
  /** Key pair that signs and verifies service account tokens. */
  serviceAccountKey: string;
  serviceAccountPub: string;
}

export const LIMITED_USER = 'backout-limited';

async function openssl(args: string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd, timeout: 30_000 });
}

async function clientCert(dir: string, name: string, subject: string): Promise<[string, string]> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  await openssl(['genrsa', '-out', key, '2048'], dir);
  await openssl(['req', '-new', '-key', key, '-subj', subject, '-out', csr], dir);
  await openssl(
    ['x509', '-req', '-in', csr, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '7', '-out', cert],
    dir,
  );
  return [cert, key];
}

/** Creates a fresh CA and every certificate the lab needs in `dir`. */
export async function createPki(dir: string): Promise<LabPki> {
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  await openssl(['genrsa', '-out', caKey, '2048'], dir);
  await openssl(['req', '-x509', '-new', '-key', caKey, '-subj', '/CN=backout-lab-ca', '-days', '7', '-out', caCert], dir);

  // The apiserver certificate must carry IP:127.0.0.1 as a SAN; Go ignores the CN for host checks.
  const ext = join(dir, 'server.ext');
  await writeFile(
    ext,
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,IP:10.0.0.1\n' +
      'extendedKeyUsage=serverAuth\n',
  );
  const serverKey = join(dir, 'server.key');
  const serverCert = join(dir, 'server.crt');
  await openssl(['genrsa', '-out', serverKey, '2048'], dir);
  await openssl(['req', '-new', '-key', serverKey, '-subj', '/CN=kube-apiserver', '-out', 'server.csr'], dir);
  await openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '7',
      '-extfile', ext, '-out', serverCert],
    dir,
  );

  const [[adminCert, adminKey], [limitedCert, limitedKey]] = await Promise.all([
    clientCert(dir, 'admin', '/O=system:masters/CN=backout-admin'),
    clientCert(dir, 'limited', `/CN=${LIMITED_USER}`),
  ]);

  const serviceAccountKey = join(dir, 'sa.key');
  const serviceAccountPub = join(dir, 'sa.pub');
  await openssl(['genrsa', '-out', serviceAccountKey, '2048'], dir);
  await openssl(['rsa', '-in', serviceAccountKey, '-pubout', '-out', serviceAccountPub], dir);

  return { caCert, caKey, serverCert, serverKey, adminCert, adminKey, limitedCert, limitedKey, serviceAccountKey, serviceAccountPub };
}
