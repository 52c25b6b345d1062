// Ondat's choices in Start Rollback, without VS Code: where a namespace is asked, the cluster's namespaces.
import type { OndatPresence } from '../../adapters/kube/ondat-presence';
import type { ParameterDefinition } from '../../core/parameters';
import type { ParameterOffer } from '../commands/run-questions';
import type { ClusterNamespace } from '../kube/cluster-reads';

/** The parameters that name a namespace of the cluster: the Helm release's, and the downgrade DaemonSet's. */
export const NAMESPACE_PARAMETERS: Readonly<Record<string, string>> = {
  helmNamespace: 'the Helm release',
  namespace: 'the downgrade DaemonSet',
};

/** Read-only looks at the context's cluster (src/ui/kube/cluster-reads.ts). */
export interface OndatClusterSource {
  namespaces(context: string): Promise<ClusterNamespace[]>;
  presence(context: string): Promise<OndatPresence>;
}

/** The namespaces as choices: active ones first; one being deleted is shown as such, not hidden. */
export function namespaceChoices(namespaces: readonly ClusterNamespace[], context: string): ParameterOffer {
  const rank = (n: ClusterNamespace) => (n.phase === 'Terminating' ? 1 : 0);
  return {
    items: [...namespaces]
      .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name))
      .map((n) => ({ label: n.name, description: n.phase === 'Terminating' ? 'being deleted' : `on ${context}`, value: n.name })),
  };
}

/** The offer for a parameter: the namespaces of the run's context where a namespace is asked, else none. */
export function namespaceOffer(cluster: OndatClusterSource, warn: (message: string) => void) {
  return async (def: ParameterDefinition, values: Readonly<Record<string, string>>): Promise<ParameterOffer | undefined> => {
    if (NAMESPACE_PARAMETERS[def.name] === undefined || !values.context) return undefined;
    try {
      return namespaceChoices(await cluster.namespaces(values.context), values.context);
    } catch (err) {
      // The namespace can still be typed; the log says why no choice was offered.
      warn(`Start Rollback: cannot list the namespaces of context ${values.context}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  };
}
