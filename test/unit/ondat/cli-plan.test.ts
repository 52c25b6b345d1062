import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_TEMPLATE } from '../../../src/procedures/ondat/default-template';

// The real `backout` command line (compiled), where the procedure is built in, planning without a cluster.
const outRoot = path.resolve(__dirname, '../../..');
const cli = path.join(outRoot, 'src/cli/main.js');

function backout(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const runs = fs.mkdtempSync(path.join(os.tmpdir(), 'ondat-cli-'));
  const r = spawnSync(process.execPath, [cli, ...args, '--runs-dir', runs], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface PlanJson {
  procedure: string;
  params: Record<string, unknown>;
  steps: Array<{ id: string; kind: string; instance: string; command: string; source: string; destructive: boolean }>;
  warnings: string[];
  discovery: { status: string; dependsOnDiscovery: string[] };
  template: { values: { namespace: string } };
}

describe('backout plan ondat.downgrade-2.7-to-2.6 --json (offline)', () => {
  it('renders the plan with the full DaemonSet manifest as the command of its step', () => {
    const r = backout(['plan', 'ondat.downgrade-2.7-to-2.6', '--param', 'context=prod-eu', '--param', 'namespace=ondat-tools', '--param', 'serviceAccount=downgrader', '--param', 'installMethod=helm', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as PlanJson;
    assert.equal(doc.procedure, 'ondat.downgrade-2.7-to-2.6');
    const create = doc.steps.find((s) => s.id === 'create-downgrade-daemonset')!;
    assert.ok(create.destructive);
    const [head, ...manifest] = create.command.split('\n');
    assert.equal(head, 'kube create-or-adopt DaemonSet/storageos-downgrade-database (apps/v1) -n ondat-tools --context prod-eu');
    const ds = parse(manifest.join('\n'));
    assert.equal(ds.metadata.namespace, 'ondat-tools');
    assert.equal(ds.spec.template.spec.serviceAccountName, 'downgrader');
    assert.equal(ds.spec.template.spec.initContainers[0].command[0], 'db_downgrade_v4v3');
    assert.equal(doc.template.values.namespace, 'ondat-tools');
  });

  it('says which steps depend on discovery, and every step carries its vendor passage', () => {
    const r = backout(['plan', 'ondat.downgrade-2.7-to-2.6', '--param', 'context=lab', '--param', 'scaleWorkloads=true', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as PlanJson;
    assert.equal(doc.discovery.status, 'absent');
    assert.ok(doc.discovery.dependsOnDiscovery.includes('delete-storageoscluster'));
    assert.ok(doc.discovery.dependsOnDiscovery.includes('scale-down-workloads'));
    assert.match(doc.warnings[0]!, /Planned without discovery/);
    for (const s of doc.steps) assert.ok(s.source.length > 0, `step ${s.id} has a source`);
    const install = doc.steps.find((s) => s.id === 'install-ondat-operator')!;
    assert.match(install.command, /^kube run-tool --context lab\n\$ KUBECONFIG=<run folder>\/tools\/<step>\/kubeconfig kubectl-storageos install --stos-config-path <run folder>\/tools\/<step>\n/);
    assert.match(install.command, /"storageOSVersion": "v2\.6\.0"/);
    assert.ok(doc.discovery.dependsOnDiscovery.includes('create-storageoscluster'));
  });

  it('exits with the usage code naming the parameter and the fix for a bad template value', () => {
    const r = backout(['plan', 'ondat.downgrade-2.7-to-2.6', '--param', 'context=lab', '--param', 'image=soegarots/node', '--json']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /parameter "image" is not accepted: image "soegarots\/node" is not pinned; add the exact tag/);
    assert.match(r.stderr, /Accepted: an image reference pinned to a tag or digest/);
  });

  it('lists every line at fault in an edited template given as a parameter', () => {
    const edited = DEFAULT_TEMPLATE.replace('cliTool: kubectl', 'cliTool: k9s').replace('namespace: ${namespace}', 'namespace: kube-system');
    const r = backout(['plan', 'ondat.downgrade-2.7-to-2.6', '--param', 'context=lab', '--param', `template=${edited}`, '--param', 'namespace=storageos']);
    assert.equal(r.status, 5);
    assert.match(r.stderr, /The downgrade DaemonSet template \(template parameter\) has 2 problems/);
    assert.match(r.stderr, /line 27, column 12: parameter cliTool: cliTool is "k9s"/);
    assert.match(r.stderr, /line 33, column 14: parameter namespace: metadata.namespace is "kube-system"/);
  });

  it('exits with the usage code for an unpinned chart version', () => {
    const r = backout(['plan', 'ondat.downgrade-2.7-to-2.6', '--param', 'context=lab', '--param', 'installMethod=helm', '--param', 'chartVersion=latest']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /parameter "chartVersion"/);
  });
});
