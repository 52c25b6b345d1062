// The typed operations a downgrade uses, against the real control plane with the fake kubelet.
import * as assert from 'assert';
import {
  KubeClient,
  KubeLogsUnavailableError,
  KubeNotFoundError,
  KubeObject,
  Pod,
  Resources,
  kubeClientFor,
  kubeconfigFiles,
  loadKubeconfig,
  podState,
} from '../../../src/adapters/kube/index';
import { KubeLab } from '../../../lab/kube/lab';
import { kubeLab, ondatInstalled } from './lab';

const NS = 'backout-ops-test';

/** A DaemonSet shaped like the Ondat database downgrade: an init container does the work, the main one sleeps. */
function downgradeLikeDaemonSet(name: string): KubeObject {
  const labels = { app: name };
  return {
    metadata: { name, namespace: NS, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          initContainers: [{ name: 'downgrade-database', image: 'soegarots/node:v2-release-v2.7.0-27', command: ['db_downgrade_v4v3'] }],
          containers: [{ name: 'sleep-once-complete', image: 'busybox', command: ['sleep', '3600'] }],
        },
      },
    },
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const value = await probe().catch((err: unknown) => {
      last = err;
      return undefined;
    });
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms (${String(last ?? '')})`);
}

describe('kube adapter: operations (lab)', function () {
  let lab: KubeLab;
  let client: KubeClient;

  before(async function () {
    lab = await kubeLab();
    await ondatInstalled('current');
    client = kubeClientFor(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: lab.kubeconfig } })), KubeLab.contexts.admin);
    await client.createOrAdopt(Resources.namespaces, { metadata: { name: NS } });
    await until('default ServiceAccount', () => client.find(Resources.serviceAccounts, 'default', { namespace: NS }));
  });
  after(async function () {
    lab.kubelet.setFaults({});
    await client.delete(Resources.namespaces, NS);
    client.close();
  });

  it('gets an object by name and finds nothing for a missing one', async function () {
    const cluster = await client.get<KubeObject & { status?: { phase?: string } }>(Resources.storageOSClusters, 'storageoscluster', { namespace: 'storageos' });
    assert.strictEqual(cluster.status?.phase, 'Running');
    assert.strictEqual(await client.find(Resources.deployments, 'no-such-deployment', { namespace: 'storageos' }), undefined);
    await assert.rejects(client.get(Resources.deployments, 'no-such-deployment', { namespace: 'storageos' }), KubeNotFoundError);
  });

  it('adopts an object left by an interrupted run instead of failing with AlreadyExists', async function () {
    const cm: KubeObject = { metadata: { name: 'left-over', namespace: NS }, data: { run: 'first' } };
    const first = await client.createOrAdopt(Resources.configMaps, cm);
    assert.strictEqual(first.outcome, 'created');
    const second = await client.createOrAdopt(Resources.configMaps, { ...cm, data: { run: 'second' } });
    assert.strictEqual(second.outcome, 'adopted');
    assert.strictEqual(second.object.metadata?.uid, first.object.metadata?.uid);
    assert.deepStrictEqual(second.object.data, { run: 'first' });
  });

  it('replaces an existing object when told to, waiting until the old one is gone', async function () {
    const cm: KubeObject = { metadata: { name: 'to-replace', namespace: NS }, data: { v: '1' } };
    const first = await client.createOrAdopt(Resources.configMaps, cm);
    const second = await client.createOrAdopt(Resources.configMaps, { ...cm, data: { v: '2' } }, { decide: () => 'replace' });
    assert.strictEqual(second.outcome, 'replaced');
    assert.notStrictEqual(second.object.metadata?.uid, first.object.metadata?.uid);
    assert.deepStrictEqual(second.object.data, { v: '2' });
  });

  it('treats deleting a missing object as already gone', async function () {
    assert.strictEqual(await client.delete(Resources.daemonSets, 'never-created', { namespace: NS }), 'already-gone');
  });

  it('runs a DaemonSet to ready on every node, then deletes it and waits until its pods are gone', async function () {
    const ds = await client.create(Resources.daemonSets, downgradeLikeDaemonSet('healthy-ds'));
    const status = await until('DaemonSet ready on all nodes', async () => {
      const s = (await client.get<KubeObject & { status?: { numberReady?: number; desiredNumberScheduled?: number } }>(Resources.daemonSets, 'healthy-ds', { namespace: NS })).status;
      return s?.desiredNumberScheduled === lab.kubelet.nodeNames.length && s.numberReady === s.desiredNumberScheduled ? s : undefined;
    });
    assert.strictEqual(status.numberReady, 3);
    const states = await client.podStates({ namespace: NS, labelSelector: 'app=healthy-ds' });
    assert.deepStrictEqual(states.map((s) => s.status), ['Running', 'Running', 'Running']);
    assert.deepStrictEqual(new Set(states.map((s) => s.node)), new Set(lab.kubelet.nodeNames));

    assert.strictEqual(await client.delete(Resources.daemonSets, 'healthy-ds', { namespace: NS }), 'deleted');
    await client.waitUntilGone(Resources.daemonSets, 'healthy-ds', { namespace: NS, uid: ds.metadata?.uid, timeoutMs: 60_000 });
    await until('pods gone', async () => ((await client.podStates({ namespace: NS, labelSelector: 'app=healthy-ds' })).length === 0 ? true : undefined));
  });

  it('shows an init container that fails on one node as Init:Error, the others running', async function () {
    lab.kubelet.setFaults({ initFailure: { node: 'lab-node-2', mode: 'error', podNamePrefix: 'failing-ds' } });
    await client.create(Resources.daemonSets, downgradeLikeDaemonSet('failing-ds'));
    const states = await until('the failure to show', async () => {
      const s = await client.podStates({ namespace: NS, labelSelector: 'app=failing-ds' });
      return s.length === 3 && s.filter((p) => p.status === 'Running').length === 2 && s.some((p) => p.problem) ? s : undefined;
    });
    const failed = states.find((s) => s.problem);
    assert.strictEqual(failed?.node, 'lab-node-2');
    assert.strictEqual(failed?.status, 'Init:Error');
    assert.deepStrictEqual({ ...failed?.problem, message: undefined }, {
      container: 'downgrade-database', init: true, reason: 'Error', exitCode: 1, restartCount: 0, message: undefined,
    });
    // What the downgrade script polls: numberReady stays below desiredNumberScheduled for good.
    const ds = await until('DaemonSet status', async () => {
      const d = await client.get<KubeObject & { status?: { numberReady?: number; desiredNumberScheduled?: number } }>(Resources.daemonSets, 'failing-ds', { namespace: NS });
      return d.status?.numberReady === 2 ? d : undefined;
    });
    assert.strictEqual(ds.status?.desiredNumberScheduled, 3);
  });

  it('shows an init container that crash-loops as Init:CrashLoopBackOff with a growing restart count', async function () {
    lab.kubelet.setFaults({ initFailure: { node: 'lab-node-3', mode: 'crashloop', podNamePrefix: 'looping-ds' } });
    await client.create(Resources.daemonSets, downgradeLikeDaemonSet('looping-ds'));
    const looping = await until('the crash loop to show', async () => {
      const s = await client.podStates({ namespace: NS, labelSelector: 'app=looping-ds' });
      return s.find((p) => p.status === 'Init:CrashLoopBackOff' && p.restarts >= 2);
    });
    assert.strictEqual(looping.node, 'lab-node-3');
    assert.strictEqual(looping.problem?.reason, 'CrashLoopBackOff');
    assert.strictEqual(looping.problem?.exitCode, 1);
  });

  it('scales a Deployment through the scale subresource and the pods follow', async function () {
    await client.create(Resources.deployments, {
      metadata: { name: 'scaled', namespace: NS },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'scaled' } },
        template: { metadata: { labels: { app: 'scaled' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.23' }] } },
      },
    });
    assert.strictEqual(await client.scale(Resources.deployments, 'scaled', 3, { namespace: NS }), 3);
    await until('3 ready pods', async () => ((await client.podStates({ namespace: NS, labelSelector: 'app=scaled' })).filter((p) => p.ready).length === 3 ? true : undefined));
    assert.strictEqual(await client.scale(Resources.deployments, 'scaled', 0, { namespace: NS }), 0);
    await until('no pods', async () => ((await client.podStates({ namespace: NS, labelSelector: 'app=scaled' })).length === 0 ? true : undefined));
  });

  it('reports slow readiness as Running but not ready until the delay passed', async function () {
    lab.kubelet.setFaults({ readiness: { delayMs: 4_000, node: 'lab-node-1' } });
    await client.create(Resources.pods, {
      metadata: { name: 'slow-ready', namespace: NS },
      spec: { nodeName: 'lab-node-1', containers: [{ name: 'app', image: 'nginx:1.23' }] },
    });
    const running = await until('running', async () => {
      const s = podState(await client.get<Pod>(Resources.pods, 'slow-ready', { namespace: NS }));
      return s.status === 'Running' ? s : undefined;
    });
    assert.strictEqual(running.ready, false);
    assert.strictEqual(running.health, 'running');
    const ready = await until('ready', async () => {
      const s = podState(await client.get<Pod>(Resources.pods, 'slow-ready', { namespace: NS }));
      return s.ready ? s : undefined;
    });
    assert.strictEqual(ready.health, 'ready');
  });

  it('lists the events of a pod (the scheduler\'s and the controllers\')', async function () {
    const [pod] = (await client.list<Pod>(Resources.pods, { namespace: NS, labelSelector: 'app=failing-ds' })).items;
    const events = await until('events', async () => {
      const e = await client.events({ namespace: NS, kind: 'Pod', name: pod.metadata?.name });
      return e.length > 0 ? e : undefined;
    });
    assert.ok(events.every((e) => e.involvedObject.name === pod.metadata?.name));
    const dsEvents = await client.events({ namespace: NS, kind: 'DaemonSet', name: 'failing-ds' });
    assert.ok(dsEvents.some((e) => e.reason === 'SuccessfulCreate'), JSON.stringify(dsEvents.map((e) => e.reason)));
  });

  it('reports logs as unavailable when the API server cannot reach the kubelet', async function () {
    const [pod] = (await client.list<Pod>(Resources.pods, { namespace: NS, labelSelector: 'app=failing-ds' })).items;
    await assert.rejects(client.logs(pod.metadata?.name ?? '', { namespace: NS, container: 'downgrade-database' }), (err: unknown) => {
      assert.ok(err instanceof KubeLogsUnavailableError, String(err));
      assert.match(err.message, /logs of pod ".*" in namespace "backout-ops-test" are not available/);
      return true;
    });
  });

  it('reports a node whose kubelet says NotReady', async function () {
    await lab.kubelet.setNodeReady('lab-node-3', false, 'reported');
    try {
      const ready = await until('node NotReady', async () => {
        const n = await client.get<KubeObject & { status?: { conditions?: Array<{ type: string; status: string; reason?: string }> } }>(Resources.nodes, 'lab-node-3');
        const c = n.status?.conditions?.find((x) => x.type === 'Ready');
        return c?.status === 'False' ? c : undefined;
      });
      assert.strictEqual(ready.reason, 'KubeletNotReady');
    } finally {
      await lab.kubelet.setNodeReady('lab-node-3', true);
    }
  });

  it('marks the pods of a node whose kubelet fell silent as not ready (node lifecycle controller)', async function () {
    const [pod] = (await client.list<Pod>(Resources.pods, { namespace: NS, fieldSelector: 'spec.nodeName=lab-node-1', labelSelector: 'app=failing-ds' })).items;
    assert.ok(pod, 'a failing-ds pod on lab-node-1');
    assert.ok(podState(pod).ready);
    await lab.kubelet.setNodeReady('lab-node-1', false, 'lost');
    try {
      const ready = await until('node Unknown', async () => {
        const n = await client.get<KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } }>(Resources.nodes, 'lab-node-1');
        const c = n.status?.conditions?.find((x) => x.type === 'Ready');
        return c?.status === 'Unknown' ? c : undefined;
      });
      assert.strictEqual(ready.status, 'Unknown');
      const state = await until('pod not ready', async () => {
        const s = podState(await client.get<Pod>(Resources.pods, pod.metadata?.name ?? '', { namespace: NS }));
        return s.ready ? undefined : s;
      });
      assert.strictEqual(state.ready, false);
    } finally {
      await lab.kubelet.setNodeReady('lab-node-1', true);
    }
    // Back in touch, the kubelet reports the pod as it is again (a StatefulSet would not scale down otherwise).
    const again = await until('pod ready again', async () => {
      const s = podState(await client.get<Pod>(Resources.pods, pod.metadata?.name ?? '', { namespace: NS }));
      return s.ready ? s : undefined;
    });
    assert.strictEqual(again.ready, true);
  });
});
