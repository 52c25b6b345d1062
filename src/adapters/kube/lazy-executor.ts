// The kube executor for hosts (CLI, extension) that must not load client-node before a kube action runs: the
// adapter bundle is loaded on the first action. Imports nothing at run time but the lazy loader.
import { createHash } from 'node:crypto';
import type { KubeAction } from '../../core/plan';
import type { ExecutionRequest, ExecutionResult, Executor } from '../../core/ports';
import { loadKube } from '../lazy';
import type { KubeClientOptions, KubeClientPool } from './connect';
import type { KubeExecutor } from './executor';
import type { KubeconfigFilesOptions } from './kubeconfig';

export interface KubeExecutorSetup {
  /** Where the kubeconfig comes from (the backout.kubeconfig setting, KUBECONFIG, ~/.kube/config). */
  kubeconfig?: KubeconfigFilesOptions;
  client?: KubeClientOptions;
  runFolder?: (request: ExecutionRequest<KubeAction>) => string | undefined;
}

export class LazyKubeExecutor implements Executor<KubeAction> {
  private inner: Promise<{ executor: KubeExecutor; pool: KubeClientPool }> | undefined;

  constructor(private readonly setup: () => KubeExecutorSetup) {}

  /** The context's API server and a digest of its CA, for the target lock (no request is made). */
  async identify(action: KubeAction): Promise<string> {
    const kube = await loadKube();
    const loaded = kube.loadKubeconfig(kube.kubeconfigFiles(this.setup().kubeconfig ?? {}));
    const info = kube.requireContext(loaded, action.context);
    const cluster = loaded.kubeConfig.getCluster(info.cluster);
    const ca = cluster?.caData ?? (cluster?.caFile ? `file:${cluster.caFile}` : 'none');
    return `kube ${info.server ?? `cluster ${info.cluster}`} ca=${createHash('sha256').update(ca).digest('hex').slice(0, 16)}`;
  }

  async execute(request: ExecutionRequest<KubeAction>): Promise<ExecutionResult> {
    this.inner ??= (async () => {
      const kube = await loadKube();
      const setup = this.setup();
      const pool = new kube.KubeClientPool(kube.loadKubeconfig(kube.kubeconfigFiles(setup.kubeconfig ?? {})), setup.client ?? {});
      return { executor: new kube.KubeExecutor({ pool, runFolder: setup.runFolder }), pool };
    })();
    // A kubeconfig that could not be read is reported on this action, and read again on the next one.
    const inner = await this.inner.catch((err: unknown) => {
      this.inner = undefined;
      throw err;
    });
    return inner.executor.execute(request);
  }

  async close(): Promise<void> {
    const inner = await this.inner?.catch(() => undefined);
    inner?.pool.close();
    this.inner = undefined;
  }
}
