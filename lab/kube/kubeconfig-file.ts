// The lab's kubeconfig: one file, several contexts, written in the lab folder (never ~/.kube).
import { writeFile, chmod } from 'fs/promises';
import { join } from 'path';
import { stringify } from 'yaml';
import { LabPki, LIMITED_USER } from './pki';

export const LAB_CONTEXTS = {
  admin: 'backout-lab-admin',
  limited: 'backout-lab-limited',
  exec: 'backout-lab-exec',
} as const;

/** Static bearer token accepted by the apiserver (--token-auth-file) and printed by the lab's exec plugin. */
export interface LabToken {
  user: string;
  token: string;
  groups: string[];
}

export function tokenFileLine(t: LabToken): string {
  return `${t.token},${t.user},${t.user},"${t.groups.join(',')}"\n`;
}

/** Writes an exec credential plugin (a tiny shell script) that prints the token the way kubectl plugins do. */
export async function writeExecPlugin(dir: string, token: string): Promise<string> {
  const file = join(dir, 'backout-lab-credential');
  const credential = JSON.stringify({
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    kind: 'ExecCredential',
    status: { token },
  });
  await writeFile(file, `#!/bin/sh\n# Exec credential plugin of the Backout kube lab.\nprintf '%s\\n' '${credential}'\n`);
  await chmod(file, 0o755);
  return file;
}

export interface LabKubeconfigInput {
  server: string;
  pki: LabPki;
  execPlugin: string;
}

export function labKubeconfig(input: LabKubeconfigInput): Record<string, unknown> {
  const cluster = 'backout-lab';
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: input.server, 'certificate-authority': input.pki.caCert } }],
    users: [
      { name: 'backout-admin', user: { 'client-certificate': input.pki.adminCert, 'client-key': input.pki.adminKey } },
      { name: LIMITED_USER, user: { 'client-certificate': input.pki.limitedCert, 'client-key': input.pki.limitedKey } },
      {
        name: 'backout-exec',
        user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: input.execPlugin, args: [] } },
      },
    ],
    contexts: [
      { name: LAB_CONTEXTS.admin, context: { cluster, user: 'backout-admin' } },
      { name: LAB_CONTEXTS.limited, context: { cluster, user: LIMITED_USER, namespace: 'storageos' } },
      { name: LAB_CONTEXTS.exec, context: { cluster, user: 'backout-exec' } },
    ],
    'current-context': LAB_CONTEXTS.admin,
  };
}

export async function writeLabKubeconfig(file: string, input: LabKubeconfigInput): Promise<void> {
  await writeFile(file, stringify(labKubeconfig(input)), { mode: 0o600 });
}
