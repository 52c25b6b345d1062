import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { KubeGroupNode, ProblemNode, TargetNode } from '../../src/ui/tree/nodes';
import { backout, eventually, fixtures } from './util';

const team = path.join(fixtures, 'kubeconfig', 'team.yaml');
const prod = path.join(fixtures, 'kubeconfig', 'prod.yaml');
const malformed = path.join(fixtures, 'kubeconfig', 'malformed.yaml');

async function roots(): Promise<TargetNode[]> {
  const api = await backout();
  return await api.targets.getChildren();
}

async function kubeGroup(): Promise<KubeGroupNode> {
  const group = (await roots()).find((n): n is KubeGroupNode => n.kind === 'kube-group');
  assert.ok(group, 'the Targets view shows a Kubernetes group');
  return group;
}

function names(group: KubeGroupNode): string[] {
  return group.children.map((c) => (c.kind === 'kube-context' ? c.context.name : `problem:${c.kind === 'problem' ? c.label : ''}`));
}

async function setKubeconfig(value: string): Promise<void> {
  await vscode.workspace.getConfiguration('backout').update('kubeconfig', value, vscode.ConfigurationTarget.Global);
}

function digest(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe('Targets view: Kubernetes contexts', () => {
  afterEach(async () => {
    await setKubeconfig('');
  });

  it('lists the contexts of a multi-file KUBECONFIG from the environment', async () => {
    assert.strictEqual(process.env.KUBECONFIG, `${team}:${prod}`, 'the harness starts VS Code with a two-file KUBECONFIG');
    await vscode.commands.executeCommand('backout.refreshTargets');
    const group = await kubeGroup();
    assert.deepStrictEqual(names(group), ['staging', 'dev', 'prod-eu']);
  });

  it('marks the current context and renders it as a tree item', async () => {
    await vscode.commands.executeCommand('backout.refreshTargets');
    const group = await kubeGroup();
    const staging = group.children.find((c) => c.kind === 'kube-context' && c.context.name === 'staging');
    assert.ok(staging);
    const api = await backout();
    const item = api.targets.getTreeItem(staging);
    assert.strictEqual(item.label, 'staging');
    assert.match(String(item.description), /current · https:\/\/127\.0\.0\.1:16443/);
    assert.match(String(item.contextValue), /\bcurrent\b/);
  });

  it('follows the backout.kubeconfig setting when it is set', async () => {
    await setKubeconfig(prod);
    await eventually(async () => assert.deepStrictEqual(names(await kubeGroup()), ['prod-eu', 'dev']));
  });

  it('shows an error item naming a malformed kubeconfig instead of an empty tree', async () => {
    await setKubeconfig(malformed);
    const problem = await eventually(async () => {
      const group = await kubeGroup();
      const first = group.children[0] as ProblemNode;
      assert.strictEqual(first.kind, 'problem');
      return first;
    });
    assert.strictEqual(problem.severity, 'error');
    assert.ok(problem.message.includes(malformed), problem.message);
    assert.strictEqual(problem.file, malformed);
    const api = await backout();
    assert.strictEqual(api.targets.getTreeItem(problem).command?.command, 'backout.openKubeconfig');
  });

  it('reloads when "Backout: Refresh Targets" runs after the file changed', async () => {
    const dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'backout-kc-'));
    const file = path.join(dir, 'config');
    fs.copyFileSync(prod, file);
    await setKubeconfig(file);
    await eventually(async () => assert.deepStrictEqual(names(await kubeGroup()), ['prod-eu', 'dev']));
    fs.copyFileSync(team, file);
    await vscode.commands.executeCommand('backout.refreshTargets');
    await eventually(async () => assert.deepStrictEqual(names(await kubeGroup()), ['staging', 'dev']));
  });

  it('reports a context whose cluster cannot be reached when it is expanded, naming the server', async () => {
    await vscode.commands.executeCommand('backout.refreshTargets');
    const api = await backout();
    const group = await kubeGroup();
    const staging = group.children.find((c) => c.kind === 'kube-context' && c.context.name === 'staging');
    assert.ok(staging);
    const first = await api.targets.getChildren(staging);
    assert.strictEqual(first[0]?.kind, 'ondat');
    const settled = await eventually(async () => {
      const [node] = await api.targets.getChildren(staging);
      assert.ok(node?.kind === 'ondat' && node.status.state === 'error', JSON.stringify(node));
      return node;
    }, 30_000);
    assert.ok(settled.kind === 'ondat' && settled.status.state === 'error' && settled.status.error.includes('https://127.0.0.1:16443'), JSON.stringify(settled));
  });

  it('never changes the kubeconfig files or their current-context', async () => {
    const before = [digest(team), digest(prod)];
    await vscode.commands.executeCommand('backout.refreshTargets');
    await kubeGroup();
    assert.deepStrictEqual([digest(team), digest(prod)], before);
  });

  it('offers its commands in the command palette under one category', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of ['backout.refreshTargets', 'backout.chooseKubeconfig', 'backout.openKubeconfig']) {
      assert.ok(all.includes(id), `${id} is registered`);
    }
    const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'backout');
    const contributed = ext?.packageJSON.contributes.commands as Array<{ category: string }>;
    assert.ok(contributed.every((c) => c.category === 'Backout'));
  });
});
