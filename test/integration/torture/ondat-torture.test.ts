// Crash torture of the shipped Ondat 2.7 → 2.6 downgrade in the kube lab (one lab with the apiserver's audit log on,
// a fresh Ondat 2.7.0 install per scenario): the run host (the real `backout` CLI) kills itself with SIGKILL right
// after a chosen journal event inside the destructive steps (BACKOUT_TEST_KILL_AT_EVENT), kube-apiserver is restarted
// while a step runs, and the run is resumed with `backout resume` to its end. The audit log is the witness: every
// write the run's own user made, counted at ResponseComplete with a 2xx answer. An uninterrupted run of the same
// setup is the reference; a scenario doubles an effect when it has a write more often than the reference has it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubeClientPool, kubeconfigFiles, loadKubeconfig, Resources, type KubeObject, type Pod } from '../../../src/adapters/kube/index';
import { parseJournal, type JournalEvent } from '../../../src/core/journal';
import { countEffects, type AuditWrite } from '../../../lab/kube/audit';
import { KubeLab } from '../../../lab/kube/lab';
import { ondatManifestsFile } from '../../../lab/kube/fixtures/manifests';
import type { OndatNaming } from '../../../lab/kube/fixtures/naming';
import { backoutAsync, type CliResult } from '../../unit/cli/cli-process';
import { kubeLabTally, record } from './tally';

/** The run's own context and user: the lab's kubelet, operator and controllers write as other users. */
const CONTEXT = KubeLab.contexts.exec;
const RUN_USER = 'backout-exec';
const ADMIN = KubeLab.contexts.admin;

/** The destructive effects the brief names, as audit keys; each must happen exactly once in every scenario. */
const NAMED: ReadonlyArray<{ label: string; key: RegExp }> = [
  { label: 'delete of the 2.7 operator', key: /^delete deployments storageos\/storageos-operator$/ },
  { label: 'delete of the StorageOSCluster', key: /^delete storageosclusters storageos\/storageoscluster$/ },
  { label: 'create of the downgrade DaemonSet', key: /^create daemonsets kube-system\/storageos-downgrade-database$/ },
  { label: 'delete of the downgrade DaemonSet', key: /^delete daemonsets kube-system\/storageos-downgrade-database$/ },
  { label: 'the 2.6.0 install: operator', key: /^create deployments storageos\/storageos-operator$/ },
  { label: 'the 2.6.0 install: StorageOSCluster', key: /^create storageosclusters storageos\/storageoscluster$/ },
];

/** Where session 1 is killed: right after the journal says `step` entered `state`. */
interface KillPoint {
  step: string;
  state: 'running' | 'succeeded';
}

interface Scenario {
  label: string;
  first: KillPoint;
  /** The resume is killed too, at its n-th journal event (whatever it is: the tally prints where it landed). */
  resumeKillAt?: number;
  /** kube-apiserver is restarted as soon as the journal shows this step running. */
  restartDuring?: string;
}

const SCENARIOS: readonly Scenario[] = [
  { label: 'killed entering delete-operator, apiserver restarted in wait-downgrade-nodes', first: { step: 'delete-operator', state: 'running' }, restartDuring: 'wait-downgrade-nodes' },
  { label: 'killed entering create-downgrade-daemonset, resume killed at its 3rd event', first: { step: 'create-downgrade-daemonset', state: 'running' }, resumeKillAt: 3 },
  { label: 'killed entering install-ondat-operator, apiserver restarted in scale-up-workloads', first: { step: 'install-ondat-operator', state: 'running' }, restartDuring: 'scale-up-workloads' },
];

interface Outcome {
  label: string;
  killPoints: string[];
  restarts: number;
  doubles: string[];
  problems: string[];
}

describe('crash torture of the Ondat downgrade in the kube lab: run host killed at journal events, apiserver restarted mid-step', function () {
  this.timeout(600_000);
  let lab: KubeLab;
  let pool: KubeClientPool;
  let root: string;
  let naming: OndatNaming | undefined;

  before(async () => {
    lab = await KubeLab.start({ nodes: 3, audit: true, kubeletResyncMs: 3_000 });
    pool = new KubeClientPool(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: lab.kubeconfig } })));
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ondat-torture-'));
  });

  after(async () => {
    pool?.close();
    await lab?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  /** A fresh Ondat 2.7.0 (current naming) with the shop workloads, whatever the previous scenario left. */
  async function freshOndat(): Promise<void> {
    const client = pool.get(ADMIN);
    if (naming) {
      await client.delete(Resources.daemonSets, 'storageos-downgrade-database', { namespace: 'kube-system' });
      await client.delete(Resources.storageOSClusters, 'storageoscluster', { namespace: 'storageos' });
      await client.delete(Resources.deployments, 'storageos-operator', { namespace: 'storageos' });
      await lab.api.until('the 2.6.0 node pods gone', async () => {
        const pods = await client.list<Pod>(Resources.pods, { namespace: 'storageos', labelSelector: 'app=storageos,app.kubernetes.io/component=control-plane' });
        return pods.items.length === 0;
      }, 120_000);
      await lab.removeOndat(naming);
      // Cluster-wide objects of the 2.6.0 install: left in place, the next install would replace them (a delete the
      // reference run, on a cluster without them, does not make).
      for (const kind of ['clusterrolebindings', 'clusterroles']) {
        await lab.api.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/${kind}/storageos:operator`).catch((err: unknown) => {
          if (!/404|not ?found/i.test(String(err))) throw err;
        });
      }
    }
    naming = await lab.applyOndat('current');
  }

  function runArgs(): string[] {
    return [
      'run', 'ondat.downgrade-2.7-to-2.6', '-v',
      '--param', `context=${CONTEXT}`, '--param', 'installMethod=manifests', '--param', `manifestsFile=${ondatManifestsFile()}`,
      '--param', 'scaleWorkloads=true', '--param', 'backupConfirmed=true', '--param', 'serviceAccount=default',
      '--param', 'timeoutSeconds=300', '--yes',
    ];
  }

  function journal(runs: string): { id: string; events: JournalEvent[]; problems: string[] } {
    const id = fs.existsSync(runs) ? fs.readdirSync(runs).find((n) => /^\d{8}-/.test(n)) : undefined;
    if (id === undefined) return { id: '', events: [], problems: ['no run folder'] };
    const text = fs.readFileSync(path.join(runs, id, 'journal.jsonl'), 'utf8');
    try {
      const parsed = parseJournal(text, 'journal.jsonl');
      return { id, events: parsed.events, problems: parsed.torn ? [`torn journal line: ${parsed.torn.text}`] : [] };
    } catch (err) {
      return { id, events: [], problems: [`the journal does not read: ${(err as Error).message}`] };
    }
  }

  function session(runs: string, args: string[], killAt?: number): { child: ReturnType<typeof backoutAsync>['child']; done: Promise<CliResult> } {
    const env: Record<string, string> = { KUBECONFIG: lab.kubeconfig, BACKOUT_RUNS_DIR: runs };
    if (killAt !== undefined) env.BACKOUT_TEST_KILL_AT_EVENT = `${killAt}:SIGKILL`;
    return backoutAsync(args, env);
  }

  /** Restarts kube-apiserver once the journal shows `step` running (polling the run folder). */
  async function restartWhen(runs: string, step: string, until: Promise<unknown>): Promise<number> {
    let ended = false;
    void until.then(() => (ended = true));
    while (!ended) {
      const { events } = journal(runs);
      if (events.some((e) => e.type === 'step' && e.step === step && e.state === 'running')) {
        await lab.restartApiserver(500);
        return 1;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return 0;
  }

  /** Runs one scenario (or the reference when `s` is undefined) and returns its writes and journal findings. */
  async function play(name: string, s: Scenario | undefined, reference?: readonly JournalEvent[]): Promise<{ outcome: Outcome; writes: AuditWrite[]; events: JournalEvent[] }> {
    await freshOndat();
    const runs = path.join(root, name, 'runs');
    fs.mkdirSync(runs, { recursive: true });
    const outcome: Outcome = { label: s?.label ?? 'reference (no interruption)', killPoints: [], restarts: 0, doubles: [], problems: [] };
    const writesBefore = lab.auditWrites(RUN_USER).length;
    let killAt: number | undefined;
    if (s && reference) {
      const i = reference.findIndex((e) => e.type === 'step' && e.step === s.first.step && e.state === s.first.state);
      if (i < 0) throw new Error(`the reference journal has no ${s.first.step} ${s.first.state}`);
      killAt = i + 1;
    }
    let sessions = 0;
    let last: CliResult | undefined;
    const firstRun = session(runs, runArgs(), killAt);
    last = await firstRun.done;
    sessions++;
    if (killAt !== undefined) {
      if (last.code === 128 && firstRun.child.signalCode === 'SIGKILL') outcome.killPoints.push(`session 1 after event ${killAt} (${s?.first.step} ${s?.first.state})`);
      else outcome.problems.push(`session 1 was not killed at event ${killAt}: exit ${last.code}\n${last.stdout.slice(-800)}${last.stderr}`);
    }
    while (last.code !== 0 && sessions < 5) {
      const { id, events } = journal(runs);
      if (!id) break;
      const before = events.length;
      const resumeKill = sessions === 1 ? s?.resumeKillAt : undefined;
      const r = session(runs, ['resume', id, '-v', '--yes', '--if-interrupted', 'stop'], resumeKill);
      const restarts = sessions === 1 && s?.restartDuring ? restartWhen(runs, s.restartDuring, r.done) : Promise.resolve(0);
      last = await r.done;
      outcome.restarts += await restarts;
      sessions++;
      if (resumeKill !== undefined && r.child.signalCode === 'SIGKILL') {
        const at = journal(runs).events[before + resumeKill - 1];
        outcome.killPoints.push(`resume after its event ${resumeKill} (${at?.type === 'step' ? `${at.step} ${at.state}` : at?.type})`);
      }
    }
    if (last.code !== 0) outcome.problems.push(`the last of ${sessions} sessions exited ${last.code}:\n${last.stdout.slice(-1500)}${last.stderr}`);
    const { events, problems } = journal(runs);
    outcome.problems.push(...problems);
    const finished = events.filter((e): e is Extract<JournalEvent, { type: 'run-finished' }> => e.type === 'run-finished');
    if (finished[finished.length - 1]?.outcome !== 'succeeded') outcome.problems.push('the journal does not end with a succeeded run');
    // No record lost: every step of the reference run ends succeeded in this journal too.
    for (const e of reference ?? []) {
      if (e.type === 'step' && e.state === 'succeeded' && !events.some((x) => x.type === 'step' && x.step === e.step && x.instance === e.instance && x.state === 'succeeded')) {
        outcome.problems.push(`no succeeded record of ${e.step}/${e.instance} in the journal`);
      }
    }
    await expectDowngraded(outcome);
    return { outcome, writes: lab.auditWrites(RUN_USER).slice(writesBefore), events };
  }

  async function expectDowngraded(outcome: Outcome): Promise<void> {
    const client = pool.get(ADMIN);
    const cluster = await client.find<KubeObject & { spec?: { images?: { nodeContainer?: string } } }>(Resources.storageOSClusters, 'storageoscluster', { namespace: 'storageos' });
    if (cluster?.spec?.images?.nodeContainer !== 'storageos/node:v2.6.0') outcome.problems.push(`StorageOSCluster node image: ${cluster?.spec?.images?.nodeContainer}`);
    const nodePods = await client.list<Pod>(Resources.pods, { labelSelector: 'app=storageos,app.kubernetes.io/component=control-plane' });
    const images = [...new Set(nodePods.items.map((p) => p.spec?.containers[0]?.image))];
    if (images.length !== 1 || images[0] !== 'storageos/node:v2.6.0') outcome.problems.push(`node pods run ${images.join(', ')}`);
    const etcd = await client.find(Resources.etcdClusters, 'storageos-etcd', { namespace: 'storageos-etcd' });
    if (etcd === undefined) outcome.problems.push('the etcd cluster is gone');
  }

  it('takes each destructive effect exactly once, loses no journal record and ends on 2.6.0 with etcd untouched', async () => {
    const t0 = Date.now();
    const ref = await play('reference', undefined);
    assert.deepEqual(ref.outcome.problems, [], 'the reference run');
    const refCounts = countEffects(ref.writes);
    // Who touched etcd: nobody, in any run (the etcd cluster and its namespace are the user's, not the procedure's).
    const etcdWrites = (w: readonly AuditWrite[]): string[] => w.filter((x) => x.namespace === 'storageos-etcd' || x.resource === 'etcdclusters').map((x) => `${x.verb} ${x.resource} ${x.namespace}/${x.name}`);
    assert.deepEqual(etcdWrites(ref.writes), []);
    for (const n of NAMED) {
      const hits = [...refCounts].filter(([k]) => n.key.test(k));
      assert.deepEqual(hits.map(([, c]) => c), [1], `${n.label} in the reference run: ${JSON.stringify(hits)}`);
    }
    const scale = [...refCounts].filter(([k]) => /^patch (deployments|statefulsets)\/scale /.test(k));
    // Scaled down and back up: two patches per workload, one per step.
    assert.ok(scale.length >= 2 && scale.every(([, c]) => c === 2), `scale patches of the reference run: ${JSON.stringify(scale)}`);

    const outcomes: Outcome[] = [];
    for (const [i, s] of SCENARIOS.entries()) {
      let played: Awaited<ReturnType<typeof play>>;
      try {
        played = await play(`s${i}`, s, ref.events);
      } catch (err) {
        // A lab that cannot be set up again (e.g. after a scenario left the cluster half downgraded) ends the series;
        // what the scenarios before found is still reported below.
        outcomes.push({ label: s.label, killPoints: [], restarts: 0, doubles: [], problems: [`could not be played: ${(err as Error).message}`] });
        break;
      }
      const { outcome, writes } = played;
      const counts = countEffects(writes);
      for (const [k, c] of counts) {
        const expected = refCounts.get(k) ?? 0;
        if (c > expected) outcome.doubles.push(`${k}: ${c} times (uninterrupted: ${expected})`);
      }
      for (const n of NAMED) if (![...counts].some(([k, c]) => n.key.test(k) && c === 1)) outcome.problems.push(`${n.label} did not happen exactly once`);
      for (const [k] of scale) if (counts.get(k) !== 2) outcome.problems.push(`${k}: ${counts.get(k) ?? 0} times, not 2`);
      outcome.problems.push(...etcdWrites(writes).map((w) => `etcd touched: ${w}`));
      outcomes.push(outcome);
    }
    const kills = outcomes.reduce((n, o) => n + o.killPoints.length, 0);
    const restarts = outcomes.reduce((n, o) => n + o.restarts, 0);
    const { doubles, problems } = record(kubeLabTally, outcomes, kills);
    console.log(
      `      crash torture (kube lab, Ondat 2.7 → 2.6 through the CLI): ${outcomes.length} scenarios + reference, ${kills} kill points fired ` +
        `[${outcomes.flatMap((o) => o.killPoints).join('; ')}], ${restarts} apiserver restarts mid-step; ` +
        `doubles found: ${doubles.length}; lost records or other problems: ${problems.length}; ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
    assert.deepEqual(doubles, []);
    assert.deepEqual(problems, []);
    assert.ok(kills >= SCENARIOS.length + 1, `kill points fired: ${kills}`);
    assert.ok(restarts >= 1, `apiserver restarts: ${restarts}`);
  });
});
