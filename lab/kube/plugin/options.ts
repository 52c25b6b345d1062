// The kubectl-storageos command line and config file as the plugin defines them, for the lab's stand-in: its flags
// (kubectl-storageos pkg/installer/installer.go, "CLI flags"; cmd/plugin/cli/install.go), its config file
// `kubectl-storageos-config.yaml` found in the folder given with --stos-config-path (KubectlStorageOSConfig,
// api/v1/kubectlstorageosconfig_types.go; the config keys are installer.go's "config file fields"). When the file is
// found its settings are used and the setting flags are not (cmd/plugin/cli/install.go setInstallValues).
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';

/** `install`'s flags: name -> takes a value. Anything else is refused, as cobra does ("unknown flag"). */
export const INSTALL_FLAGS: Readonly<Record<string, boolean>> = {
  'stack-trace': false,
  'skip-namespace-deletion': false,
  'stos-version': true,
  'etcd-operator-version': true,
  'k8s-version': true,
  wait: false,
  'dry-run': false,
  'stos-operator-yaml': true,
  'stos-cluster-yaml': true,
  'etcd-operator-yaml': true,
  'etcd-cluster-yaml': true,
  'resource-quota-yaml': true,
  'include-etcd': false,
  'etcd-endpoints': true,
  'skip-etcd-endpoints-validation': false,
  'skip-stos-cluster': false,
  'etcd-tls-enabled': false,
  'etcd-secret-name': true,
  'stos-config-path': true,
  'etcd-namespace': true,
  'stos-operator-namespace': true,
  'stos-cluster-namespace': true,
  'etcd-storage-class': true,
  'admin-username': true,
  'admin-password': true,
  'enable-portal-manager': false,
  'portal-client-id': true,
  'portal-secret': true,
  'portal-tenant-id': true,
  'portal-api-url': true,
};

export class UsageError extends Error {}

/** The settings of one `install`, whichever way they came. */
export interface InstallSettings {
  version?: string;
  operatorNamespace: string;
  clusterNamespace: string;
  etcdEndpoints?: string;
  etcdTLSEnabled: boolean;
  etcdSecretName?: string;
  skipStorageOSCluster: boolean;
  includeEtcd: boolean;
  adminUsername: string;
  adminPassword?: string;
  clusterYaml?: string;
  wait: boolean;
  /** Where they came from: `config <file>` or `flags`. */
  origin: string;
}

export function parseFlags(args: readonly string[], known: Readonly<Record<string, boolean>>): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith('--')) throw new UsageError(`unknown command "${a}" for "kubectl-storageos install"`);
    const eq = a.indexOf('=');
    const name = a.slice(2, eq >= 0 ? eq : undefined);
    const takesValue = known[name];
    if (takesValue === undefined) throw new UsageError(`unknown flag: --${name}`);
    if (!takesValue) {
      out.set(name, eq >= 0 ? a.slice(eq + 1) : 'true');
      continue;
    }
    if (eq >= 0) out.set(name, a.slice(eq + 1));
    else {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`flag needs an argument: --${name}`);
      out.set(name, v);
    }
  }
  return out;
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {});
const s = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const b = (v: unknown): boolean => v === true || v === 'true';

export const CONFIG_FILE = 'kubectl-storageos-config.yaml';

export function installSettings(flags: Map<string, string>): InstallSettings {
  const dir = flags.get('stos-config-path');
  const file = dir !== undefined ? path.join(dir, CONFIG_FILE) : undefined;
  if (file && fs.existsSync(file)) {
    let doc: Rec;
    try {
      doc = rec(parseYaml(fs.readFileSync(file, 'utf8')));
    } catch (err) {
      throw new UsageError(`error discovered in config file: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (doc.kind !== 'KubectlStorageOSConfig') throw new UsageError(`error discovered in config file: kind is ${String(doc.kind)}, expected KubectlStorageOSConfig`);
    const spec = rec(doc.spec);
    const install = rec(spec.install);
    return {
      ...(s(install.storageOSVersion) ? { version: s(install.storageOSVersion) } : {}),
      operatorNamespace: s(install.storageOSOperatorNamespace) ?? 'storageos',
      clusterNamespace: s(install.storageOSClusterNamespace) ?? 'storageos',
      ...(s(install.etcdEndpoints) ? { etcdEndpoints: s(install.etcdEndpoints) } : {}),
      etcdTLSEnabled: b(install.etcdTLSEnabled),
      ...(s(install.etcdSecretName) ? { etcdSecretName: s(install.etcdSecretName) } : {}),
      skipStorageOSCluster: b(spec.skipStorageOSCluster),
      includeEtcd: b(spec.includeEtcd),
      adminUsername: s(install.adminUsername) ?? 'storageos',
      ...(s(install.adminPassword) ? { adminPassword: s(install.adminPassword) } : {}),
      ...(s(install.storageOSClusterYaml) ? { clusterYaml: s(install.storageOSClusterYaml) } : {}),
      wait: b(install.wait),
      origin: `config ${file}`,
    };
  }
  const f = (name: string): string | undefined => s(flags.get(name));
  return {
    ...(f('stos-version') ? { version: f('stos-version') } : {}),
    operatorNamespace: f('stos-operator-namespace') ?? 'storageos',
    clusterNamespace: f('stos-cluster-namespace') ?? 'storageos',
    ...(f('etcd-endpoints') ? { etcdEndpoints: f('etcd-endpoints') } : {}),
    etcdTLSEnabled: b(flags.get('etcd-tls-enabled')),
    ...(f('etcd-secret-name') ? { etcdSecretName: f('etcd-secret-name') } : {}),
    skipStorageOSCluster: b(flags.get('skip-stos-cluster')),
    includeEtcd: b(flags.get('include-etcd')),
    adminUsername: f('admin-username') ?? 'storageos',
    ...(f('admin-password') ? { adminPassword: f('admin-password') } : {}),
    ...(f('stos-cluster-yaml') ? { clusterYaml: f('stos-cluster-yaml') } : {}),
    wait: b(flags.get('wait')),
    origin: 'flags',
  };
}
