// A fake Ondat operator: while a Deployment running storageos/operator is available, it reconciles every
// StorageOSCluster the way the real operator does as far as the downgrade can see: it keeps a node DaemonSet
// `storageos-node` (owned by the cluster, so deleting the cluster removes it) on the cluster's nodeContainer image,
// and reports the cluster's phase and ready count in its status. Without an operator nothing is reconciled. A cluster
// without spec.images.nodeContainer runs the node image the operator is given in its `storageos-related-images`
// ConfigMap (RELATED_IMAGE_STORAGEOS_NODE, read through the operator's envFrom: ondat/charts ondat-operator
// templates/operator.yaml and config-maps.yaml), as a Helm-installed operator's clusters do.
import { LabApi, LabApiError } from './lab-api';
import { NODE_DAEMONSET } from './fixtures/ondat';

interface Cluster {
  metadata: { name: string; namespace: string; uid: string; deletionTimestamp?: string };
  spec?: { images?: { nodeContainer?: string } };
  status?: { phase?: string; ready?: string };
}

interface DaemonSet {
  metadata: { ownerReferences?: Array<{ uid: string }> };
  spec: { template: { spec: { containers: Array<{ image: string }> } } };
  status?: { numberReady?: number; desiredNumberScheduled?: number };
}

interface OperatorDeployment {
  metadata: { namespace: string };
  spec: { template: { spec: { containers: Array<{ image?: string; envFrom?: Array<{ configMapRef?: { name?: string } }> }> } } };
  status?: { availableReplicas?: number };
}

const TICK_MS = 500;
const DEFAULT_NODE_IMAGE = 'storageos/node:v2.7.0';

export class FakeOperator {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly api: LabApi,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.reconcile()
        .catch((err: unknown) => this.log(`fake operator: ${String(err)}`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, TICK_MS);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** The available operator Deployment, if any. */
  private async operator(): Promise<OperatorDeployment | undefined> {
    const list = await this.api.request<{ items: OperatorDeployment[] }>('GET', '/apis/apps/v1/deployments');
    return list.items.find((d) => (d.status?.availableReplicas ?? 0) > 0 && d.spec.template.spec.containers.some((c) => c.image?.startsWith('storageos/operator:')));
  }

  /** RELATED_IMAGE_STORAGEOS_NODE of the ConfigMap the operator's containers take their environment from. */
  private async relatedNodeImage(op: OperatorDeployment): Promise<string | undefined> {
    const refs = op.spec.template.spec.containers.flatMap((c) => (c.envFrom ?? []).map((e) => e.configMapRef?.name)).filter((n): n is string => !!n);
    for (const name of refs) {
      try {
        const cm = await this.api.request<{ data?: Record<string, string> }>('GET', `/api/v1/namespaces/${op.metadata.namespace}/configmaps/${name}`);
        if (cm.data?.RELATED_IMAGE_STORAGEOS_NODE) return cm.data.RELATED_IMAGE_STORAGEOS_NODE;
      } catch (err) {
        if (!(err instanceof LabApiError && err.status === 404)) throw err;
      }
    }
    return undefined;
  }

  private async reconcile(): Promise<void> {
    let clusters: Cluster[];
    try {
      clusters = (await this.api.request<{ items: Cluster[] }>('GET', '/apis/storageos.com/v1/storageosclusters')).items;
    } catch (err) {
      if (err instanceof LabApiError && err.status === 404) return; // no CRD yet
      throw err;
    }
    if (clusters.length === 0) return;
    const op = await this.operator();
    if (!op) return;
    const related = await this.relatedNodeImage(op);
    for (const cluster of clusters) {
      if (!cluster.metadata.deletionTimestamp) await this.reconcileCluster(cluster, related);
    }
  }

  private async reconcileCluster(cluster: Cluster, relatedNodeImage: string | undefined): Promise<void> {
    const { namespace, name, uid } = cluster.metadata;
    const image = cluster.spec?.images?.nodeContainer ?? relatedNodeImage ?? DEFAULT_NODE_IMAGE;
    const path = `/apis/apps/v1/namespaces/${namespace}/daemonsets/${NODE_DAEMONSET.name}`;
    let ds: DaemonSet | undefined;
    try {
      ds = await this.api.request<DaemonSet>('GET', path);
    } catch (err) {
      if (!(err instanceof LabApiError && err.status === 404)) throw err;
    }
    if (!ds) {
      const owner = { apiVersion: 'storageos.com/v1', kind: 'StorageOSCluster', name, uid, controller: true, blockOwnerDeletion: true };
      await this.api.create(NODE_DAEMONSET.object(namespace, image, owner));
      this.log(`fake operator: created ${namespace}/${NODE_DAEMONSET.name} on ${image}`);
      return;
    }
    if (ds.spec.template.spec.containers[0]?.image !== image) {
      await this.api.request('PATCH', path, { spec: { template: { spec: { containers: [{ name: 'storageos', image }] } } } }, 'application/strategic-merge-patch+json');
      return;
    }
    const ready = ds.status?.numberReady ?? 0;
    const desired = ds.status?.desiredNumberScheduled ?? 0;
    const status = { phase: desired > 0 && ready === desired ? 'Running' : 'Creating', ready: `${ready}/${desired}` };
    if (cluster.status?.phase !== status.phase || cluster.status?.ready !== status.ready) {
      await this.api.request('PATCH', `/apis/storageos.com/v1/namespaces/${namespace}/storageosclusters/${name}/status`, { status }, 'application/merge-patch+json');
    }
  }
}
