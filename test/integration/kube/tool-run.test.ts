// Local tools started by the kube executor (run-tool) against the kube lab, with the lab's kubectl-storageos
// stand-in: what reaches the tool (argv, kubeconfig, files, environment) and what stops it before it starts.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { KubeClientPool, KubeExecutor, kubeconfigFiles, loadKubeconfig, Resources, type KubeObject } from '../../../src/adapters/kube/index';
import type { KubeAction } from '../../../src/core/plan';
import type { ExecutionResult } from '../../../src/core/ports';
import { DIR_REF, toolRunJson, type ToolRun } from '../../../src/core/tool-run';
import { KubeLab } from '../../../lab/kube/lab';
import { pathWithPlugin, pluginBinDir } from '../../../lab/kube/plugin/bin-dir';
import { kubeLab } from './lab';

const CONTEXT = KubeLab.contexts.admin;

describe('run-tool: local tools on the run\'s cluster (kube lab, kubectl-storageos stand-in)', function () {
  this.timeout(180_000);
  let lab: KubeLab;
  let pool: KubeClientPool;
  let root: string;
  let log: string;
  const saved = { PATH: process.env.PATH, LOG: process.env.BACKOUT_LAB_PLUGIN_LOG };

  before(async () => {
    lab = await kubeLab();
    pool = new KubeClientPool(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: lab.kubeconfig } })));
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tool-run-'));
    log = path.join(root, 'calls.jsonl');
    process.env.PATH = pathWithPlugin(process.env.PATH);
    process.env.BACKOUT_LAB_PLUGIN_LOG = log;
  });

  after(() => {
    process.env.PATH = saved.PATH;
    if (saved.LOG === undefined) delete process.env.BACKOUT_LAB_PLUGIN_LOG;
    else process.env.BACKOUT_LAB_PLUGIN_LOG = saved.LOG;
    pool?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function execute(run: ToolRun): Promise<{ result: ExecutionResult; lines: string[] }> {
    const lines: string[] = [];
    const action: KubeAction = { kind: 'kube', context: CONTEXT, operation: 'run-tool', options: toolRunJson(run) };
    const executor = new KubeExecutor({ pool, runFolder: () => root });
    const result = await executor.execute({
      action,
      target: { kind: 'kube-context', name: CONTEXT, production: false },
      step: 'install-ondat-operator',
      instance: CONTEXT,
      signal: new AbortController().signal,
      output: { line: (_s, text) => lines.push(text) },
    });
    return { result, lines };
  }

  function calls(): Array<Record<string, unknown>> {
    return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
  }

  it('refuses to start the tool when the context now leads to another cluster (kube-system uid differs)', async () => {
    fs.rmSync(log, { force: true });
    const { result, lines } = await execute({ tool: 'kubectl-storageos', args: ['install', '--stos-config-path', DIR_REF], files: [], clusterUid: 'uid-of-another-cluster' });
    assert.equal(result.exitCode, 1);
    assert.match(result.detail ?? '', /leads to another cluster than the one planned for/);
    assert.match(lines.join('\n'), /^CONTEXT backout-lab-admin now leads to another cluster/m);
    assert.deepEqual(calls(), [], 'the tool never started');
  });

  it('refuses while the Helm release it would act on is pending-upgrade', async () => {
    const secret = {
      apiVersion: 'v1', kind: 'Secret', type: 'helm.sh/release.v1',
      metadata: { name: 'sh.helm.release.v1.stuck.v2', namespace: 'default', labels: { owner: 'helm', name: 'stuck', status: 'pending-upgrade', version: '2' } },
      data: { release: Buffer.from(gzipSync(JSON.stringify({ name: 'stuck', namespace: 'default', version: 2, info: { status: 'pending-upgrade' }, chart: { metadata: { name: 'ondat-operator', version: '0.5.5' } }, manifest: '' })).toString('base64')).toString('base64') },
    };
    const client = pool.get(CONTEXT);
    await client.delete(Resources.secrets, secret.metadata.name, { namespace: 'default' });
    await client.create(Resources.secrets, secret as KubeObject, { namespace: 'default' });
    try {
      const { result } = await execute({ tool: 'helm', args: ['version'], files: [], releaseNotPending: { name: 'stuck', namespace: 'default' } });
      assert.equal(result.exitCode, 1);
      assert.match(result.detail ?? '', /Helm release default\/stuck is pending-upgrade at revision 2.*helm rollback/);
    } finally {
      await client.delete(Resources.secrets, secret.metadata.name, { namespace: 'default' });
    }
  });

  it('gives the tool a 0600 kubeconfig of the run\'s context only and 0600 files, then removes them; no BACKOUT_SECRET_* reaches it', async () => {
    fs.rmSync(log, { force: true });
    process.env.BACKOUT_SECRET_ADMINPASSWORD = 'canary-7f3a';
    try {
      // An operator-only install into a namespace of its own, removed afterwards.
      const config = { apiVersion: 'storageos.com/v1', kind: 'KubectlStorageOSConfig', spec: { skipStorageOSCluster: true, install: { storageOSVersion: 'v2.6.0', storageOSOperatorNamespace: 'tool-run-test' } } };
      const { result, lines } = await execute({ tool: 'kubectl-storageos', args: ['install', '--stos-config-path', DIR_REF], files: [{ name: 'kubectl-storageos-config.yaml', format: 'yaml', data: config }] });
      assert.equal(result.exitCode, 0, lines.join('\n'));
    } finally {
      delete process.env.BACKOUT_SECRET_ADMINPASSWORD;
      // Deleting a namespace only starts its finalization: until the namespace controller has removed what the plugin
      // created in it, a later suite on the shared lab (the Ondat downgrade's discovery) still finds that operator.
      const client = pool.get(CONTEXT);
      await client.delete(Resources.namespaces, 'tool-run-test');
      for (let i = 0; i < 600 && (await client.find(Resources.namespaces, 'tool-run-test')) !== undefined; i++) await new Promise((r) => setTimeout(r, 250));
      assert.equal(await client.find(Resources.namespaces, 'tool-run-test'), undefined, 'namespace tool-run-test was not removed within 150 s');
    }
    const [call] = calls();
    assert.ok(call);
    assert.equal(call.context, CONTEXT);
    assert.equal(call.kubeconfigMode, '0600');
    assert.equal(call.configMode, '0600');
    assert.deepEqual(call.secretVariables, []);
    assert.ok(!fs.existsSync(path.join(root, 'tools', 'install-ondat-operator-backout-lab-admin')), 'the tool\'s folder is removed');
  });

  it('the stand-in refuses a flag the plugin does not have, as cobra does', () => {
    const r = spawnSync(path.join(pluginBinDir(), 'kubectl-storageos'), ['install', '--admin-pasword', 'x'], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Error: unknown flag: --admin-pasword/);
  });
});
