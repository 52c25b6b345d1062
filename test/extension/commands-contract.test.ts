// The contract between package.json and the command handlers: every command is invoked from every place the manifest
// makes it appear, with the argument VS Code passes there — nothing from the command palette and view titles, the tree
// node from view items (inline: the node; context menu: the node and the selection), the item's own arguments when an
// item is clicked — and none of them may throw or report an error.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { localSteps } from '../fixtures/procedures/local-steps';
import type { BackoutApi } from '../../src/ui/activate';
import { backout, eventually, repoRoot } from './util';

interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}

interface Manifest {
  contributes: { commands: Array<{ command: string }>; menus: Record<string, MenuEntry[]> };
}

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;

/** The `when` clauses of view menus use two forms only; anything else fails here so the evaluator gets extended. */
function matches(when: string, view: string, contextValue: string): boolean {
  return when.split('&&').every((term) => {
    const t = term.trim();
    const eq = /^view == (\S+)$/.exec(t);
    if (eq) return eq[1] === view;
    const re = /^viewItem =~ \/(.*)\/([a-z]*)$/.exec(t);
    if (re) return new RegExp(re[1] as string, re[2]).test(contextValue);
    throw new Error(`the contract test cannot evaluate the when clause term "${t}"`);
  });
}

let api: BackoutApi;
let work: string;
const reported: string[] = [];

/** Invokes a command and closes whatever it asks (quick picks, input boxes, simple file dialogs) until it settles. */
async function invoke(command: string, args: unknown[]): Promise<void> {
  reported.length = 0;
  let settled = false;
  const running = Promise.resolve(vscode.commands.executeCommand(command, ...args)).finally(() => (settled = true));
  while (!settled) {
    await new Promise((r) => setTimeout(r, 300));
    if (!settled) await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  }
  await running;
  assert.deepStrictEqual(reported, [], `${command} reported no error`);
}

let activeRuns = 0;

/** A run waiting at its gate on a target of its own: cancelled ones stay resumable, no lock stands in the way. */
async function startActive(): Promise<string> {
  return startWaiting(`contract-active-${++activeRuns}`);
}

async function startWaiting(target: string): Promise<string> {
  const runId = await vscode.commands.executeCommand<string | undefined>('backout.startRollback', {
    procedureId: localSteps.id,
    target,
    params: { marker: path.join(work, `${target}.txt`), sleepSeconds: '0', production: 'false', instances: 'agent-a' },
  });
  assert.ok(runId, `a run on ${target} started`);
  await eventually(() => assert.ok(api.gates.gateOf(runId), 'the run waits at its gate'));
  return runId;
}

/** Active runs other than `keep` are cancelled so that each invocation starts from the same runs. */
async function settleRuns(keep: string | undefined): Promise<void> {
  for (const runId of api.runs.activeRuns()) {
    if (runId === keep) continue;
    await api.runs.cancel(runId).catch(() => undefined);
    await api.runs.whenDone(runId);
  }
}

async function runsFixture(): Promise<string> {
  const done = await startWaiting('contract-done');
  for (;;) {
    const gate = api.gates.gateOf(done);
    if (!api.runs.isActive(done)) break;
    if (gate) api.gates.confirm(gate.id);
    await new Promise((r) => setTimeout(r, 20));
  }
  const cancelled = await startWaiting('contract-resume');
  await api.runs.cancel(cancelled);
  await api.runs.whenDone(cancelled);
  return startActive();
}

async function allNodes<T>(provider: vscode.TreeDataProvider<T>): Promise<T[]> {
  const out: T[] = [];
  const walk = async (parent?: T) => {
    for (const child of (await provider.getChildren(parent)) ?? []) {
      out.push(child);
      const item = await provider.getTreeItem(child);
      if (item.collapsibleState !== vscode.TreeItemCollapsibleState.None) await walk(child);
    }
  };
  await walk();
  return out;
}

async function nodesOf(view: string): Promise<Array<{ node: unknown; item: vscode.TreeItem }>> {
  const provider: vscode.TreeDataProvider<unknown> = view === 'backout.runs' ? api.runsView : api.targets;
  const nodes = await allNodes(provider);
  return Promise.all(nodes.map(async (node) => ({ node, item: await provider.getTreeItem(node) })));
}

describe('Every command works from every place package.json shows it', function () {
  this.timeout(240_000);
  let active: string | undefined;
  let runsDir: string;
  const subscriptions: vscode.Disposable[] = [];

  before(async () => {
    api = await backout();
    try {
      api.registerProcedure(localSteps);
    } catch {
      // Registered by an earlier suite of this run.
    }
    subscriptions.push(api.onDidReportError((m) => reported.push(m)));
    work = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'backout-contract-'));
    runsDir = path.join(work, 'runs');
    await vscode.workspace.getConfiguration('backout').update('runsDirectory', runsDir, vscode.ConfigurationTarget.Global);
    // A DMS in an inventory of its own, so that the DMS items and their menus exist (port 1: unreachable at once).
    const inventory = path.join(work, 'inventory.json');
    await vscode.workspace.getConfiguration('backout').update('inventoryFile', inventory, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('backout.registerDms', { name: 'contract-dms', production: false, agents: ['Administrator@127.0.0.1:1=dma-01'], file: inventory });
    await vscode.commands.executeCommand('backout.refreshTargets');
    active = await runsFixture();
  });

  afterEach(async () => {
    await settleRuns(active);
    if (active && !api.runs.isActive(active)) active = await startActive();
  });

  after(async () => {
    await settleRuns(undefined);
    subscriptions.forEach((s) => s.dispose());
    await vscode.workspace.getConfiguration('backout').update('runsDirectory', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('backout').update('inventoryFile', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('has a handler for every contributed command', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const { command } of manifest.contributes.commands) assert.ok(registered.has(command), `${command} is registered`);
  });

  it('runs every command the palette always shows, with no argument', async () => {
    const palette = manifest.contributes.menus.commandPalette ?? [];
    let ran = 0;
    for (const { command } of manifest.contributes.commands) {
      const entry = palette.find((e) => e.command === command);
      // Hidden ('false'), or shown only in an editor context: those run from the editor title below.
      if (entry?.when !== undefined) continue;
      await invoke(command, []);
      ran++;
    }
    assert.ok(ran >= 12, `the palette commands ran (${ran})`);
  });

  it('runs every editor title button with the document URI VS Code passes, on the built-in template', async () => {
    const entries = manifest.contributes.menus['editor/title'] ?? [];
    const palette = manifest.contributes.menus.commandPalette ?? [];
    const contextual = palette.filter((e) => e.when !== undefined && e.when !== 'false').map((e) => e.command);
    for (const c of contextual) assert.ok(entries.some((e) => e.command === c), `${c} appears in the palette in an editor context and is covered here`);
    const builtIn = vscode.Uri.from({ scheme: 'backout-template', path: '/built-in/ondat-downgrade-daemonset.yaml' });
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(builtIn));
    for (const e of entries) await invoke(e.command, [builtIn]);
  });

  it('runs every view/title button with no argument', async () => {
    const entries = manifest.contributes.menus['view/title'] ?? [];
    assert.ok(entries.length > 0);
    for (const e of entries) await invoke(e.command, []);
  });

  it('runs every view item menu entry (inline and context) with the node VS Code passes, on every kind of node it shows on', async () => {
    const entries = manifest.contributes.menus['view/item/context'] ?? [];
    const uncovered: string[] = [];
    for (const e of entries) {
      const view = /view == (\S+)/.exec(e.when ?? '')?.[1] as string;
      const candidates = (await nodesOf(view)).filter(({ item }) => matches(e.when ?? '', view, String(item.contextValue ?? '')));
      // One node per contextValue: the same kind of node with the same facets takes the same path.
      const seen = new Set<string>();
      const chosen = candidates.filter(({ item }) => !seen.has(String(item.contextValue)) && seen.add(String(item.contextValue)));
      if (chosen.length === 0) uncovered.push(`${e.command} (${e.group}) ${e.when}`);
      for (const { node } of chosen) {
        const inline = (e.group ?? '').startsWith('inline');
        await invoke(e.command, inline ? [node] : [node, [node]]);
        await settleRuns(active);
        if (active && !api.runs.isActive(active)) active = await startActive();
      }
    }
    assert.deepStrictEqual(uncovered, [], 'every view item entry met a node it shows on');
  });

  it('runs the command of every tree item when it is clicked', async () => {
    let clicked = 0;
    for (const view of ['backout.targets', 'backout.runs']) {
      for (const { item } of await nodesOf(view)) {
        if (!item.command) continue;
        await invoke(item.command.command, item.command.arguments ?? []);
        clicked++;
      }
    }
    assert.ok(clicked > 0, 'some items have a click command');
  });
});
