// What the kube executor's `helm-releases` operation prints for each revision of a Helm release (one JSON line per
// revision), read from the release Secret `sh.helm.release.v1.<name>.v<revision>` Helm keeps in the release's
// namespace. Shared by the adapter that decodes the Secrets and the planners that decide on them.

export interface HelmObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface HelmReleaseRevision {
  name: string;
  namespace: string;
  revision: number;
  /** info.status: deployed, superseded, failed, uninstalling, pending-install, pending-upgrade, pending-rollback... */
  status: string;
  /** chart.metadata.name, e.g. ondat-operator or ondat (the umbrella chart with in-cluster etcd). */
  chart: string;
  chartVersion: string;
  appVersion?: string;
  /** The chart's dependencies (chart.metadata.dependencies[].name). */
  dependencies: string[];
  /** The objects of the release's rendered manifest: what Helm considers this release's own. */
  objects: HelmObjectRef[];
}

/** Statuses of a release whose last helm command did not finish (Helm refuses another operation on it). */
export function isPendingStatus(status: string): boolean {
  return status.startsWith('pending-');
}
