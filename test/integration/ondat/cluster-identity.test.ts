// The install steps act only on the cluster the plan was made for: between plan and run the kubeconfig's context is
// re-pointed to another cluster (a second kube lab, whose admin context has the same name — as kubeadm names every
// cluster's context alike), and each install action then refuses before it changes anything there.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubeClientPool, KubeExecutor, kubeconfigFiles, loadKubeconfig, Resources } from '../../../src/adapters/kube/index';
import { LocalExecutor } from '../../../src/adapters/local/local-executor';
import type { KubeAction } from '../../../src/core/plan';
import { preparePlan } from '../../../src/core/runs';
import { ondatDowngrade } from '../../../src/procedures/ondat/index';
import { KubeLab } from '../../../lab/kube/lab';
import { applyCrds } from '../../../lab/kube/fixtures/apply';
import { ondatManifestsFile } from '../../../lab/kube/fixtures/manifests';
import { kubeLab, ondatInstalled } from '../kube/lab';
import { registerTeardown } from '../teardown';

const CONTEXT = KubeLab.contexts.admin;

describe('Ondat install steps re-check the cluster right before they act (kube lab)', function () {
  this.timeout(600_000);
  let lab: KubeLab;
  let other: KubeLab;
  let planned: KubeClientPool;
  let repointed: KubeClientPool;
  let root: string;

  before(async () => {
    lab = await kubeLab();
    other = await KubeLab.start({ nodes: 1 });
    registerTeardown(() => other.stop());
    await applyCrds(other.api);
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ondat-identity-'));
    planned = new KubeClientPool(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: lab.kubeconfig } })));
    // The same context name, now leading to the other cluster.
    repointed = new KubeClientPool(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: other.kubeconfig } })));
  });

  after(async () => {
    planned?.close();
    repointed?.close();
    await other?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('refuses the manifests install and the StorageOSCluster creation on the re-pointed context, changing nothing there', async () => {
    await ondatInstalled('current');
    const prepared = await preparePlan(
      ondatDowngrade,
      { context: CONTEXT, installMethod: 'manifests', manifestsFile: ondatManifestsFile(), scaleWorkloads: 'true', backupConfirmed: 'true', serviceAccount: 'default', timeoutSeconds: '300' },
      { executors: { kube: new KubeExecutor({ pool: planned }), local: new LocalExecutor() } },
    );
    const steps = prepared.plan.steps.filter((s) => s.id === 'install-ondat-operator' || s.id === 'create-storageoscluster');
    assert.equal(steps.length, 2);
    const executor = new KubeExecutor({ pool: repointed, runFolder: () => root });
    for (const step of steps) {
      for (const inst of step.instances) {
        const lines: string[] = [];
        const r = await executor.execute({
          target: prepared.plan.target,
          step: step.id,
          instance: inst.instance,
          signal: AbortSignal.timeout(60_000),
          output: { line: (_s, text) => lines.push(text) },
          action: inst.action as KubeAction,
        });
        assert.equal(r.exitCode, 1, `${step.id} ${inst.instance}: ${lines.join('\n')}`);
        assert.match(r.detail ?? '', new RegExp(`context ${CONTEXT} leads to another cluster than the one planned for \\(${other.server.replace(/[.]/g, '\\.')}: kube-system uid .*\\); nothing was changed`));
      }
    }
    const client = repointed.get(CONTEXT);
    assert.equal(await client.find(Resources.namespaces, 'storageos'), undefined, 'no namespace was created on the other cluster');
    assert.deepEqual((await client.list(Resources.storageOSClusters)).items, [], 'no StorageOSCluster was created there');
    assert.equal(await client.find(Resources.deployments, 'storageos-operator', { namespace: 'storageos' }), undefined);
    // On the planned cluster the same actions pass the check: the end-to-end downgrades (downgrade.test.ts) run them.
  });
});
