// A client for one named context of a loaded kubeconfig. The context is chosen in an in-memory copy only: the
// user's files and their current-context are never touched.
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from './client';
import { KubeconfigError, LoadedKubeconfig, requireContext } from './kubeconfig';
import { KubeTransport, TransportOptions } from './transport';

export function kubeClientFor(loaded: LoadedKubeconfig, context: string, options: TransportOptions = {}): KubeClient {
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
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: source.getClusters(),
    users: source.getUsers(),
    contexts: source.getContexts(),
    currentContext: context,
  });
  return new KubeClient(new KubeTransport(kc, { context, server: cluster.server, user: info.user }, options));
}

/** One client (and so one keep-alive connection pool) per context, for the life of a kubeconfig. */
export class KubeClientPool {
  private readonly clients = new Map<string, KubeClient>();

  constructor(
    private readonly loaded: LoadedKubeconfig,
    private readonly options: TransportOptions = {},
  ) {}

  get(context: string): KubeClient {
    let client = this.clients.get(context);
    if (!client) {
      client = kubeClientFor(this.loaded, context, this.options);
      this.clients.set(context, client);
    }
    return client;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
