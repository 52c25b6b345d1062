// What the Ondat operator does that the downgrade relies on, played against the kube lab (which has no operator):
// when a StorageOSCluster is deleted its node DaemonSet goes (the garbage collector then removes the node pods); when
// a StorageOSCluster appears without status (the 2.6.0 install), a node DaemonSet on its pinned image is created and
// the cluster reports phase Running once the pods are ready.
import { LabApi, LabApiError } from '../../../lab/kube/lab-api';

interface Cr {
  metadata: { name: string; namespace: string };
  spec?: { images?: { nodeContainer?: string } };
  status?: { phase?: string };
}

const NODE_LABELS = { app: 'storageos', 'app.kubernetes.io/component': 'control-plane' };

function ignore404(err: unknown): void {
  if (!(err instanceof LabApiError && err.status === 404)) throw err;
}

export class OperatorStandIn {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private readonly seen = new Set<string>();
  readonly events: string[] = [];

  constructor(private readonly api: LabApi) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), 300);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const crs = (await this.api.request<{ items: Cr[] }>('GET', '/apis/storageos.com/v1/storageosclusters')).items;
      const present = new Set(crs.map((c) => c.metadata.namespace));
      for (const ns of this.seen) {
        if (present.has(ns)) continue;
        this.seen.delete(ns);
        await this.api
          .request('DELETE', `/apis/apps/v1/namespaces/${ns}/daemonsets/storageos-node`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' })
          .then(() => this.events.push(`deleted node DaemonSet in ${ns}`), ignore404);
      }
      for (const cr of crs) {
        this.seen.add(cr.metadata.namespace);
        const image = cr.spec?.images?.nodeContainer;
        if (cr.status?.phase || !image) continue;
        await this.api.create({
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          metadata: { name: 'storageos-node', namespace: cr.metadata.namespace, labels: NODE_LABELS },
          spec: {
            selector: { matchLabels: NODE_LABELS },
            template: { metadata: { labels: NODE_LABELS }, spec: { hostNetwork: true, containers: [{ name: 'storageos', image }] } },
          },
        });
        const ds = await this.api.request<{ status?: { numberReady?: number; desiredNumberScheduled?: number } }>('GET', `/apis/apps/v1/namespaces/${cr.metadata.namespace}/daemonsets/storageos-node`);
        const ready = (ds.status?.desiredNumberScheduled ?? 0) > 0 && ds.status?.numberReady === ds.status?.desiredNumberScheduled;
        if (!ready) continue;
        await this.api.request(
          'PATCH',
          `/apis/storageos.com/v1/namespaces/${cr.metadata.namespace}/storageosclusters/${cr.metadata.name}/status`,
          { status: { phase: 'Running', ready: `${ds.status?.numberReady}/${ds.status?.desiredNumberScheduled}` } },
          'application/merge-patch+json',
        );
        this.events.push(`cluster ${cr.metadata.namespace}/${cr.metadata.name} Running on ${image}`);
      }
    } catch {
      // The next tick tries again (the apiserver may be busy).
    } finally {
      this.busy = false;
    }
  }
}
