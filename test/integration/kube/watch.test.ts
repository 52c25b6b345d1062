// A watch keeps delivering events across a restart of kube-apiserver: it reconnects and resumes from the last
// resourceVersion it saw, so nothing that happened after the restart is missed.
import * as assert from 'assert';
import { KubeClient, KubeObject, Resources, WatchEvent, kubeClientFor, kubeconfigFiles, loadKubeconfig } from '../../../src/adapters/kube/index';
import { KubeLab } from '../../../lab/kube/lab';
import { kubeLab } from './lab';

const NS = 'backout-watch-test';

describe('kube adapter: watch (lab)', function () {
  let lab: KubeLab;
  let client: KubeClient;

  before(async function () {
    lab = await kubeLab();
    client = kubeClientFor(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: lab.kubeconfig } })), KubeLab.contexts.admin, { connectTimeoutMs: 1000 });
    await client.createOrAdopt(Resources.namespaces, { metadata: { name: NS } });
  });
  after(async function () {
    await client.delete(Resources.namespaces, NS);
    client.close();
  });

  it('reports existing objects first, then changes, and survives an apiserver restart', async function () {
    await client.create(Resources.configMaps, { metadata: { name: 'before', namespace: NS } });
    const abort = new AbortController();
    const seen: Array<{ type: string; name: string }> = [];
    let reconnects = 0;
    const waiters: Array<() => void> = [];
    const waitFor = (type: string, name: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => seen.some((e) => e.type === type && e.name === name);
        if (check()) return resolve();
        const t = setTimeout(() => reject(new Error(`no ${type} ${name}; saw ${JSON.stringify(seen)}`)), 90_000);
        waiters.push(() => {
          if (check()) {
            clearTimeout(t);
            resolve();
          }
        });
      });
    const consumer = (async () => {
      const events = client.watch<KubeObject>(Resources.configMaps, {
        namespace: NS,
        signal: abort.signal,
        onReconnect: () => reconnects++,
      });
      for await (const e of events as AsyncGenerator<WatchEvent<KubeObject>>) {
        seen.push({ type: e.type, name: e.object.metadata?.name ?? '' });
        waiters.forEach((w) => w());
      }
    })();

    await waitFor('ADDED', 'before');
    await client.create(Resources.configMaps, { metadata: { name: 'during', namespace: NS } });
    await waitFor('ADDED', 'during');

    // Down for longer than the lab's node grace period (8 s): the node lifecycle controller then marks every node
    // Unknown and every pod not ready, as after a real control-plane outage; the suites after this one run on a lab
    // that has to recover from that (the fake kubelet reports its pods ready again), every time, not by chance.
    await lab.restartApiserver(10_000);
    await client.create(Resources.configMaps, { metadata: { name: 'after-restart', namespace: NS } });
    await client.delete(Resources.configMaps, 'during', { namespace: NS });
    await waitFor('ADDED', 'after-restart');
    await waitFor('DELETED', 'during');

    abort.abort();
    await consumer;
    assert.ok(reconnects >= 1, 'the watch reconnected');
    assert.deepStrictEqual(
      seen.filter((e) => e.name === 'before' || e.name === 'during' || e.name === 'after-restart').map((e) => `${e.type} ${e.name}`),
      ['ADDED before', 'ADDED during', 'ADDED after-restart', 'DELETED during'],
    );
  });
});
