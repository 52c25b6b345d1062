// Names and facts of an Ondat install that the procedure relies on (see docs/ondat.md for their sources).

export const PROCEDURE_ID = 'ondat.downgrade-2.7-to-2.6';

/** The CSI provisioner of Ondat volumes: pods mounting PVCs of a StorageClass with it must be gone first. */
export const ONDAT_PROVISIONER = 'csi.storageos.com';

export const STORAGEOS_CLUSTER = { apiVersion: 'storageos.com/v1', kind: 'StorageOSCluster' } as const;
export const ETCD_CLUSTER = { apiVersion: 'etcd.improbable.io/v1alpha1', kind: 'EtcdCluster' } as const;

/** Labels of the Ondat node pods (the `storageos-node` DaemonSet the operator creates). */
export const NODE_POD_LABELS: Readonly<Record<string, string>> = { app: 'storageos', 'app.kubernetes.io/component': 'control-plane' };

/** Image repository of the Ondat node container, whose tag is the running Ondat version. */
export const NODE_IMAGE_REPOSITORY = 'storageos/node';

/** The only version 2.7.x can be rolled back to (2.7.0 release notes). */
export const TARGET_VERSION = '2.6.0';
export const TARGET_NODE_IMAGE = `${NODE_IMAGE_REPOSITORY}:v${TARGET_VERSION}`;

/** What a Helm release name may be, as the helmRelease parameter accepts it (lowercase letters, digits and -). */
export const HELM_RELEASE_PATTERN = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
/** Helm refuses longer release names (helm.sh/docs: release names are limited to 53 characters). */
export const HELM_RELEASE_MAX = 53;

/**
 * Why a Helm release name cannot go into argv, or undefined. The name read from the cluster (an annotation anyone
 * with write access to the Deployment can set) is checked like the parameter: `--post-renderer=x` is not a release.
 */
export function helmReleaseProblem(name: string): string | undefined {
  if (name.length > HELM_RELEASE_MAX || !new RegExp(`^${HELM_RELEASE_PATTERN}$`).test(name)) {
    return `"${name}" is not a Helm release name (lowercase letters, digits and -, at most ${HELM_RELEASE_MAX} characters)`;
  }
  return undefined;
}

/** Helm chart releases whose appVersion is v2.6.0. */
export const HELM_CHART = 'ondat/ondat-operator';
export const HELM_CHART_VERSIONS_FOR_2_6_0: readonly string[] = ['0.5.4', '0.5.5'];
export const HELM_CHART_DEFAULT_VERSION = '0.5.5';
export const HELM_REPO_NAME = 'ondat';
export const HELM_REPO_URL = 'https://ondat.github.io/charts';

/** The operator Deployment under each naming scheme seen in the field. */
export const OPERATOR_NAMINGS = [
  { scheme: 'current', namespace: 'storageos', name: 'storageos-operator' },
  { scheme: 'legacy', namespace: 'storageos-operator', name: 'storageos-cluster-operator' },
] as const;
/** A Helm release names its operator `<release>-ondat-operator` and labels it so. */
export const HELM_OPERATOR_SUFFIX = '-ondat-operator';
export const OPERATOR_LABELS: Readonly<Record<string, string>> = { 'control-plane': 'storageos-operator', 'app.kubernetes.io/component': 'operator' };
export const OPERATOR_IMAGE_REPOSITORIES: readonly string[] = ['storageos/operator', 'storageos/cluster-operator'];

/** Where the etcd operator installs the etcd Ondat uses; a downgrade leaves it alone. */
export const DEFAULT_ETCD_NAMESPACE = 'storageos-etcd';
