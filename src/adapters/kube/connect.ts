// A client for one named context of a loaded kubeconfig. The context is chosen in an in-memory copy only: the
// user's files and their current-context are never touched.
import { KubeConfig } from '@kubernetes/client-node';
import type { User } from '@kubernetes/client-node';
import { KubeClient } from './client';
import { KubeconfigError, LoadedKubeconfig, requireContext } from './kubeconfig';
import { KubeTransport, TransportOptions, ExecAuth } from './transport';
import { ExecConfig, ExecCredentialSource } from './exec-credential';
import { proxyFromEnvironment } from './proxy-env';
import { singleContextKubeconfig } from './kubeconfig-export';

export interface KubeClientOptions extends TransportOptions {
  /** Environment for HTTPS_PROXY/HTTP_PROXY/NO_PROXY (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export function kubeClientFor(loaded: LoadedKubeconfig, context: string, options: KubeClientOptions = {}): KubeClient {
  const info = requireContext(loaded, context);
  const source = loaded.kubeConfig;
  const cluster = source.getCluster(info.cluster);
  if (!cluster?.server) {
    throw new KubeconfigError(
      `Kubernetes context "${context}" names cluster "${info.cluster}", which ${cluster ? 'has no server address' : 'no kubeconfig file defines'} ` +
        `(${info.file}). Add the cluster to the kubeconfig or pick another context.`,
      info.file,
      'malformed',
    );
  }
  if (!source.getUser(info.user) && info.user) {
    throw new KubeconfigError(
      `Kubernetes context "${context}" names user "${info.user}", which no kubeconfig file defines (${info.file}). ` +
        'Add the user to the kubeconfig or pick another context.',
      info.file,
      'malformed',
    );
  }
  const target = { context, server: cluster.server, user: info.user };
  // The context's user is copied; an exec plugin is run by Backout (see exec-credential.ts), not by client-node.
  const original = source.getUser(info.user);
  const exec = original?.exec as ExecConfig | undefined;
  let execAuth: ExecAuth | undefined;
  let users = source.getUsers();
  if (original && exec?.command) {
    const user: User = { ...original, exec: undefined, authProvider: undefined };
    execAuth = { source: new ExecCredentialSource(exec, target, options.execTimeoutMs ?? 60_000), user: user as ExecAuth['user'] };
    users = users.map((u) => (u === original ? user : u));
  }
  // Like kubectl: the cluster's proxy-url wins, else the proxy environment variables apply.
  let clusters = source.getClusters();
  const envProxy = cluster.proxyUrl ? undefined : proxyFromEnvironment(cluster.server, options.env ?? process.env);
  if (envProxy) clusters = clusters.map((c) => (c === cluster ? { ...c, proxyUrl: envProxy } : c));
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters, users, contexts: source.getContexts(), currentContext: context });
  return new KubeClient(new KubeTransport(kc, target, options, execAuth));
}

/** One client (and so one keep-alive connection pool) per context, for the life of a kubeconfig. */
export class KubeClientPool {
  private readonly clients = new Map<string, KubeClient>();

  constructor(
    private readonly loaded: LoadedKubeconfig,
    private readonly options: KubeClientOptions = {},
  ) {}

  get(context: string): KubeClient {
    let client = this.clients.get(context);
    if (!client) {
      client = kubeClientFor(this.loaded, context, this.options);
      this.clients.set(context, client);
    }
    return client;
  }

  /** The API server the context names (for messages; no request is made). */
  serverOf(context: string): string {
    const info = requireContext(this.loaded, context);
    return this.loaded.kubeConfig.getCluster(info.cluster)?.server ?? `cluster ${info.cluster}`;
  }

  /** A kubeconfig holding only this context, as current-context: what a local tool is given (see kubeconfig-export.ts). */
  kubeconfigFor(context: string): string {
    return singleContextKubeconfig(this.loaded, context);
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
