import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KubeconfigError, kubeconfigFiles, loadKubeconfig, requireContext } from '../../../src/adapters/kube/kubeconfig';

const fixtures = path.resolve(__dirname, '../../../../test/fixtures/kubeconfig');
const team = path.join(fixtures, 'team.yaml');
const prod = path.join(fixtures, 'prod.yaml');

function digest(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function expectProblem(fn: () => unknown, problem: string, ...fragments: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof KubeconfigError, `expected KubeconfigError, got ${String(err)}`);
    assert.strictEqual(err.problem, problem);
    for (const f of fragments) assert.ok(err.message.includes(f), `"${err.message}" should mention "${f}"`);
    return true;
  });
}

describe('kubeconfig files, in kubectl order', () => {
  it('uses the backout.kubeconfig setting before KUBECONFIG', () => {
    const source = kubeconfigFiles({ setting: team, env: { KUBECONFIG: prod }, home: '/home/x' });
    assert.deepStrictEqual(source, { origin: 'setting', files: [team] });
  });

  it('splits a multi-file KUBECONFIG on the path delimiter, drops empty entries and duplicates, and expands ~', () => {
    const source = kubeconfigFiles({ env: { KUBECONFIG: `~/a.yaml::/etc/b.yaml:~/a.yaml` }, home: '/home/x', delimiter: ':' });
    assert.deepStrictEqual(source, { origin: 'KUBECONFIG', files: ['/home/x/a.yaml', '/etc/b.yaml'] });
  });

  it('falls back to ~/.kube/config', () => {
    assert.deepStrictEqual(kubeconfigFiles({ env: {}, home: '/home/x' }), { origin: 'default', files: ['/home/x/.kube/config'] });
  });

  it('accepts several files in the setting, like KUBECONFIG', () => {
    const source = kubeconfigFiles({ setting: `${team};${prod}`, env: {}, home: '/h', delimiter: ';' });
    assert.deepStrictEqual(source.files, [team, prod]);
  });
});

describe('loading a multi-file kubeconfig', () => {
  it('lists the contexts of every file', () => {
    const loaded = loadKubeconfig({ origin: 'KUBECONFIG', files: [team, prod] });
    assert.deepStrictEqual(loaded.contexts.map((c) => c.name), ['staging', 'dev', 'prod-eu']);
  });

  it('lets the first file that defines a name win, as kubectl does', () => {
    const loaded = loadKubeconfig({ origin: 'KUBECONFIG', files: [team, prod] });
    const dev = requireContext(loaded, 'dev');
    assert.strictEqual(dev.server, 'https://127.0.0.1:26443');
    assert.strictEqual(dev.file, team);
  });

  it('takes current-context from the first file that sets one', () => {
    const loaded = loadKubeconfig({ origin: 'KUBECONFIG', files: [team, prod] });
    assert.strictEqual(loaded.currentContext, 'staging');
    assert.deepStrictEqual(loaded.contexts.filter((c) => c.current).map((c) => c.name), ['staging']);
    assert.strictEqual(loaded.kubeConfig.getCurrentContext(), 'staging');
  });

  it('records the namespace and the file of each context', () => {
    const staging = requireContext(loadKubeconfig({ origin: 'setting', files: [team] }), 'staging');
    assert.strictEqual(staging.namespace, 'storageos');
    assert.strictEqual(staging.file, team);
  });

  it('skips files that do not exist and reports them', () => {
    const missing = path.join(os.tmpdir(), 'backout-no-such-kubeconfig.yaml');
    const loaded = loadKubeconfig({ origin: 'KUBECONFIG', files: [missing, prod] });
    assert.deepStrictEqual(loaded.missingFiles, [missing]);
    assert.strictEqual(loaded.currentContext, 'prod-eu');
  });

  it('never writes the files it reads', () => {
    const before = [digest(team), digest(prod)];
    const loaded = loadKubeconfig({ origin: 'KUBECONFIG', files: [team, prod] });
    loaded.kubeConfig.setCurrentContext('prod-eu');
    assert.deepStrictEqual([digest(team), digest(prod)], before);
  });

  it('treats an empty file as an empty kubeconfig', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-kc-'));
    const empty = path.join(dir, 'empty');
    fs.writeFileSync(empty, '');
    const loaded = loadKubeconfig({ origin: 'setting', files: [empty, team] });
    assert.strictEqual(loaded.contexts.length, 2);
  });
});

describe('refusing a kubeconfig that cannot be used', () => {
  it('names the file and the YAML error of a malformed file', () => {
    const malformed = path.join(fixtures, 'malformed.yaml');
    expectProblem(() => loadKubeconfig({ origin: 'setting', files: [malformed] }), 'malformed', malformed, 'invalid YAML', 'backout.kubeconfig');
  });

  it('names the missing field of an incomplete cluster entry', () => {
    const noServer = path.join(fixtures, 'no-server.yaml');
    expectProblem(() => loadKubeconfig({ origin: 'setting', files: [noServer] }), 'malformed', noServer, 'clusters[0].cluster.server is missing');
  });

  it('refuses a document that is not a mapping', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-kc-'));
    const list = path.join(dir, 'list.yaml');
    fs.writeFileSync(list, '- a\n- b\n');
    expectProblem(() => loadKubeconfig({ origin: 'setting', files: [list] }), 'malformed', list, 'found a list');
  });

  it('refuses a document of another kind', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-kc-'));
    const pod = path.join(dir, 'pod.yaml');
    fs.writeFileSync(pod, 'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n');
    expectProblem(() => loadKubeconfig({ origin: 'setting', files: [pod] }), 'malformed', pod, 'kind is "Pod"');
  });

  it('says where it looked when no file exists', () => {
    const missing = path.join(os.tmpdir(), 'backout-missing-a.yaml');
    expectProblem(() => loadKubeconfig({ origin: 'KUBECONFIG', files: [missing] }), 'missing', missing, 'KUBECONFIG environment variable');
  });

  it('lists the known contexts when asked for an unknown one', () => {
    const loaded = loadKubeconfig({ origin: 'setting', files: [team] });
    expectProblem(() => requireContext(loaded, 'prod-us'), 'unknown-context', '"prod-us"', 'staging, dev');
  });
});
