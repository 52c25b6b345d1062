import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { AgentNode, DmsGroupNode, DmsNode, TargetNode } from '../../src/ui/tree/nodes';
import { backout, eventually } from './util';

describe('Targets view: DataMiner Systems from the inventory', () => {
  let file: string;

  before(async () => {
    const dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'backout-inv-'));
    file = path.join(dir, 'inventory.json');
    await vscode.workspace.getConfiguration('backout').update('inventoryFile', file, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('backout').update('inventoryFile', undefined, vscode.ConfigurationTarget.Global);
  });

  async function dmsGroup(): Promise<DmsGroupNode> {
    const api = await backout();
    await vscode.commands.executeCommand('backout.refreshTargets');
    const roots: TargetNode[] = await api.targets.getChildren();
    const group = roots.find((n): n is DmsGroupNode => n.kind === 'dms-group');
    assert.ok(group, 'the Targets view shows DataMiner Systems');
    return group;
  }

  it('registers a DMS in the inventory file and lists it with its Agents', async () => {
    const written = await vscode.commands.executeCommand<string>('backout.registerDms', {
      name: 'lab-dms',
      production: true,
      // Port 1 on loopback refuses connections at once: the Agents show as unreachable.
      agents: ['Administrator@127.0.0.1:1=dma-01', 'Administrator@127.0.0.1:1=dma-02'],
      file,
    });
    assert.strictEqual(written, file);
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.deepStrictEqual(saved.systems[0].agents.map((a: { name: string }) => a.name), ['dma-01', 'dma-02']);
    const group = await eventually(dmsGroup);
    const dms = group.children.find((c): c is DmsNode => c.kind === 'dms');
    assert.ok(dms);
    assert.strictEqual(dms.dms.name, 'lab-dms');
    const api = await backout();
    const item = api.targets.getTreeItem(dms);
    assert.match(String(item.description), /^production · 2 Agents/);
    assert.match(String(item.contextValue), /\bproduction\b/);
  });

  it('reads each Agent in the background and shows one that cannot be reached', async () => {
    const api = await backout();
    const group = await dmsGroup();
    const dms = group.children.find((c): c is DmsNode => c.kind === 'dms');
    assert.ok(dms);
    const first = (await api.targets.getChildren(dms)) as AgentNode[];
    assert.deepStrictEqual(first.map((a) => a.agent.name), ['dma-01', 'dma-02']);
    const settled = await eventually(async () => {
      const now = (await api.targets.getChildren(dms)) as AgentNode[];
      assert.ok(now.every((a) => a.status.state === 'unreachable'), JSON.stringify(now.map((a) => a.status)));
      return now;
    }, 30_000);
    const status = settled[0]?.status;
    assert.ok(status?.state === 'unreachable' && /dma-01|127\.0\.0\.1/.test(status.error), JSON.stringify(status));
    assert.match(String(api.targets.getTreeItem(settled[0] as AgentNode).description), /unreachable/);
  });

  it('refuses to register a DMS name twice', async () => {
    const before = fs.readFileSync(file, 'utf8');
    const result = await vscode.commands.executeCommand('backout.registerDms', { name: 'lab-dms', agents: ['Administrator@127.0.0.1'], file });
    assert.strictEqual(result, undefined);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), before, 'the inventory is unchanged');
  });

  it('shows a problem item naming the file when the inventory is invalid', async () => {
    fs.writeFileSync(file, JSON.stringify({ version: 1, systems: [{ name: 'x', production: false, agents: [{ name: 'a', password: 'nope' }] }] }));
    const group = await eventually(dmsGroup);
    const problems = group.children.filter((c) => c.kind === 'problem');
    assert.ok(problems.length > 0);
    assert.ok(problems.some((p) => p.kind === 'problem' && p.file === file), JSON.stringify(problems));
  });
});
