// A kubeconfig for a local tool that holds only the run's context (its cluster and user, with every path already
// made absolute by the loader) and names it as current-context: a tool given this file can reach no other cluster,
// whatever the user's $KUBECONFIG, ~/.kube/config or their current-context say. kubectl-storageos in particular has
// no --context flag and acts on the current context only (kubectl-storageos pkg/utils/k8s.go: empty config flags).
import { KubeConfig } from '@kubernetes/client-node';
import { requireContext, type LoadedKubeconfig } from './kubeconfig';

export function singleContextKubeconfig(loaded: LoadedKubeconfig, context: string): string {
  const info = requireContext(loaded, context);
  const source = loaded.kubeConfig;
  const cluster = source.getCluster(info.cluster);
  const user = source.getUser(info.user);
  const ctx = source.getContexts().find((c) => c.name === context);
  if (!cluster || !ctx) throw new Error(`context ${context} names cluster ${info.cluster}, which the kubeconfig does not define`);
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [cluster], users: user ? [user] : [], contexts: [ctx], currentContext: context });
  return kc.exportConfig();
}
