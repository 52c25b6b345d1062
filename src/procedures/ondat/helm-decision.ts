// Which Helm release owns the 2.7 operator, of which chart, and what a 2.6.0 install may do about it. Only a release
// of ondat/ondat-operator may be upgraded to ondat/ondat-operator: upgrading a release of the umbrella chart
// ondat/ondat ("Ondat with in-cluster etcd", dependencies ondat-operator and etcd-cluster-operator) to it makes Helm
// remove everything the umbrella rendered and the operator chart does not — Ondat's etcd, every volume's metadata.
// A release whose last helm command did not finish (pending-*) is refused by Helm itself; it is found here first.
import { isPendingStatus, type HelmObjectRef, type HelmReleaseRevision } from '../../core/helm-release';
import type { OndatFacts, StorageOSClusterFact } from './facts';
import { HELM_CHART, helmReleaseProblem } from './names';
import type { OndatParams } from './parameters';

export const OPERATOR_CHART = HELM_CHART.split('/')[1] as string;

export interface ReleaseRef {
  name: string;
  namespace: string;
}

export interface HelmDecision {
  refusals: string[];
  warnings: string[];
  /** The release `helm upgrade --install` acts on (installMethod=helm). */
  release: ReleaseRef;
}

/** The latest revision of each release. */
export function latestReleases(all: readonly HelmReleaseRevision[]): HelmReleaseRevision[] {
  const latest = new Map<string, HelmReleaseRevision>();
  for (const r of all) {
    const key = `${r.namespace}/${r.name}`;
    const seen = latest.get(key);
    if (!seen || r.revision > seen.revision) latest.set(key, r);
  }
  return [...latest.values()];
}

function describe(r: HelmReleaseRevision): string {
  return `Helm release ${r.name} in ${r.namespace} (chart ${r.chart} ${r.chartVersion}, revision ${r.revision}, ${r.status}; its record is Secret ${r.namespace}/sh.helm.release.v1.${r.name}.v${r.revision})`;
}

function objectName(o: HelmObjectRef): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/** What ondat/ondat-operator renders that another release may already own (templates/secrets.yaml, storageoscluster_cr.yaml). */
function operatorChartObjects(cluster: StorageOSClusterFact | undefined): HelmObjectRef[] {
  if (!cluster) return [];
  const secret = cluster.secretRef;
  return [
    { apiVersion: 'storageos.com/v1', kind: 'StorageOSCluster', namespace: cluster.namespace, name: cluster.name },
    ...(secret ? [{ apiVersion: 'v1', kind: 'Secret', namespace: secret.namespace, name: secret.name }] : []),
  ];
}

/** The routes that keep an umbrella release's etcd, each with exactly what it changes. */
function routes(umbrella: HelmReleaseRevision, cluster: StorageOSClusterFact | undefined, newRelease: string): string[] {
  const keep = `release ${umbrella.name} keeps its etcd and its record, which still describes the 2.7 install: never run \`helm upgrade ${umbrella.name}\` afterwards (it would bring the 2.7 operator back), and \`helm uninstall ${umbrella.name}\` would remove Ondat's etcd`;
  const cr = cluster ? `StorageOSCluster ${cluster.namespace}/${cluster.name} is recreated from the saved one with the v2.6.0 node image` : 'the StorageOSCluster is recreated from the saved one with the v2.6.0 node image';
  const collisions = operatorChartObjects(cluster).filter((o) => umbrella.objects.some((u) => u.kind === o.kind && u.name === o.name && (u.namespace ?? '') === (o.namespace ?? '')));
  const second =
    collisions.length > 0
      ? `a second Helm release (${newRelease}) of ${HELM_CHART} beside ${umbrella.name} is not possible: the chart renders ${collisions.map(objectName).join(' and ')}, which release ${umbrella.name} owns, and Helm refuses to install over another release's objects ("invalid ownership metadata": an existing object is adopted only when its meta.helm.sh/release-name and release-namespace annotations name the installing release — helm.sh/docs, "Helm 3.2: adopting existing resources")`
      : `a second Helm release (${newRelease}) of ${HELM_CHART} beside ${umbrella.name} would own the operator only; Backout does not take this route`;
  return [
    `installMethod=kubectl-storageos: the plugin installs the 2.6.0 operator (Deployment storageos/storageos-operator, outside Helm) and ${cr}; ${keep}`,
    `installMethod=manifests: the objects of manifestsFile are applied through the API and ${cr}; ${keep}`,
    second,
  ];
}

export function helmDecision(facts: OndatFacts | undefined, params: OndatParams, cluster: StorageOSClusterFact | undefined): HelmDecision {
  const refusals: string[] = [];
  const warnings: string[] = [];
  const latest = latestReleases(facts?.helmReleases ?? []);
  const owner = facts?.operators.find((o) => o.helmRelease !== undefined);
  const ownerRef = owner?.helmRelease ? { name: owner.helmRelease, namespace: owner.helmReleaseNamespace ?? owner.namespace } : undefined;
  const release: ReleaseRef = {
    name: params.helmRelease ?? ownerRef?.name ?? 'ondat',
    namespace: params.helmNamespace ?? ownerRef?.namespace ?? 'storageos',
  };
  const helm = params.installMethod === 'helm';
  // A name read from the cluster reaches helm's argv: it must pass the same check as the parameter.
  const releaseProblem = helm && params.helmRelease === undefined ? helmReleaseProblem(release.name) : undefined;
  if (releaseProblem !== undefined) {
    refusals.push(`the Helm release of the operator read from the cluster, ${releaseProblem}; check the operator's meta.helm.sh/release-name annotation, or give --param helmRelease=<name>`);
  }
  if (!facts) return { refusals, warnings, release };

  const ownerRelease = ownerRef ? latest.find((r) => r.name === ownerRef.name && r.namespace === ownerRef.namespace) : undefined;
  if (ownerRef && !ownerRelease && helm) {
    refusals.push(
      `the operator ${owner?.namespace}/${owner?.name} belongs to Helm release ${ownerRef.name} in ${ownerRef.namespace}, but no release Secret sh.helm.release.v1.${ownerRef.name}.v<N> exists there, so its chart cannot be known; upgrading it blind could remove what it owns (e.g. etcd). Use installMethod=kubectl-storageos or manifests.`,
    );
  }
  if (ownerRelease && ownerRelease.chart !== OPERATOR_CHART) {
    const what = `the 2.7 operator belongs to ${describe(ownerRelease)}, a release of chart ${ownerRelease.chart}${ownerRelease.dependencies.length ? ` (dependencies ${ownerRelease.dependencies.join(', ')})` : ''}, not ${OPERATOR_CHART}`;
    const list = routes(ownerRelease, cluster, release.name === ownerRelease.name ? `${ownerRelease.name}-2-6` : release.name);
    if (helm && release.name === ownerRelease.name && release.namespace === ownerRelease.namespace) {
      refusals.push(`${what}: \`helm upgrade ${ownerRelease.name} ${HELM_CHART}\` would delete everything that chart rendered and ${OPERATOR_CHART} does not — Ondat's etcd, the metadata of every volume. Routes that keep etcd: ${list.map((r, i) => `(${i + 1}) ${r}`).join('; ')}.`);
    } else if (helm) {
      refusals.push(`${what}, and installMethod=helm with release ${release.name} would be ${list[2]}. Routes that keep etcd: (1) ${list[0]}; (2) ${list[1]}.`);
    } else {
      warnings.push(`${what}. This run takes the route ${params.installMethod === 'manifests' ? list[1] : list[0]}.`);
    }
  }
  for (const r of latest) {
    const relevant = (ownerRef && r.name === ownerRef.name && r.namespace === ownerRef.namespace) || (helm && r.name === release.name && r.namespace === release.namespace);
    if (!relevant || !isPendingStatus(r.status)) continue;
    const text = `${describe(r)} is stuck in ${r.status}: a helm command on it was interrupted. Check \`helm history ${r.name} -n ${r.namespace}\` and roll back to its last deployed revision (\`helm rollback ${r.name} <revision> -n ${r.namespace}\`) before the downgrade`;
    if (helm) refusals.push(`${text}; Helm refuses any upgrade of a pending release.`);
    else warnings.push(`${text}.`);
  }
  return { refusals, warnings, release };
}
