import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { localSteps } from '../fixtures/procedures/local-steps';
import type { BackoutApi } from '../../src/ui/activate';
import type { RunsNode } from '../../src/ui/tree/run-nodes';
import { backout, eventually, repoRoot } from './util';

let api: BackoutApi;
let runsDir: string;
let work: string;

async function confirmGatesUntilDone(runId: string, typed?: string): Promise<number> {
  let confirmed = 0;
  for (;;) {
    if (!api.runs.isActive(runId)) return confirmed;
    const gate = api.gates.gateOf(runId);
    if (gate) {
      assert.strictEqual(api.gates.confirm(gate.id, typed), undefined);
      confirmed++;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

function start(params: Record<string, string>): Thenable<string | undefined> {
  return vscode.commands.executeCommand<string | undefined>('backout.startRollback', {
    procedureId: localSteps.id,
    target: params.target ?? 'lab-1',
    params: { marker: path.join(work, 'marker.txt'), sleepSeconds: '0', production: 'false', instances: 'agent-a,agent-b', ...params },
  });
}

describe('Runs: started, gated, logged and reported from VS Code', () => {
  before(async () => {
    api = await backout();
    try {
      api.registerProcedure(localSteps);
    } catch {
      // Registered by an earlier suite of this run.
    }
    runsDir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'backout-runs-'));
    await vscode.workspace.getConfiguration('backout').update('runsDirectory', runsDir, vscode.ConfigurationTarget.Global);
  });

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'backout-work-'));
  });

  after(async () => {
    await vscode.workspace.getConfiguration('backout').update('runsDirectory', undefined, vscode.ConfigurationTarget.Global);
  });

  it('runs each destructive action once, after a confirmation naming the target', async () => {
    const runId = await start({});
    assert.ok(runId, 'Start Rollback returns the run id');
    const gate = await eventually(() => {
      const g = api.gates.gateOf(runId);
      assert.ok(g, 'the destructive step waits for a confirmation');
      return g;
    });
    assert.match(gate.target, /lab-1/);
    assert.strictEqual(gate.expected, undefined, 'a non-production target needs no typed name');
    assert.strictEqual(fs.existsSync(path.join(work, 'marker.txt')), false, 'nothing destructive ran before the confirmation');
    await confirmGatesUntilDone(runId);
    const state = await api.runs.whenDone(runId);
    const { state: fromDisk } = await api.store.read(runId);
    assert.strictEqual(fromDisk.status, 'succeeded');
    assert.strictEqual(state === undefined || state.status === 'succeeded', true);
    assert.deepStrictEqual(fs.readFileSync(path.join(work, 'marker.txt'), 'utf8').trim().split('\n').sort(), ['applied agent-a', 'applied agent-b']);
  });

  it('shows the run in the panel, with a view derived from its journal', async () => {
    const runId = await start({});
    assert.ok(runId);
    await confirmGatesUntilDone(runId);
    await vscode.commands.executeCommand('backout.openRunPanel', runId);
    const panel = await eventually(() => {
      const p = api.panels().find((x) => x.key === runId);
      assert.ok(p?.view, 'the panel received its view');
      assert.strictEqual(p.view.status, 'succeeded');
      return p;
    });
    const view = panel.view;
    assert.ok(view);
    assert.deepStrictEqual(view.instances, ['lab-1', 'agent-a', 'agent-b']);
    assert.deepStrictEqual(view.steps.map((s) => s.id), ['prepare', 'apply', 'settle']);
    assert.ok(view.steps[1]?.cells.every((c) => c.state === 'succeeded'));
    assert.match(view.steps[1]?.commands['agent-a'] ?? '', /applied \$1/);
  });

  it('needs the exact target name typed for a production target', async () => {
    const runId = await start({ target: 'prod-1', production: 'true', instances: 'agent-a' });
    assert.ok(runId);
    const gate = await eventually(() => {
      const g = api.gates.gateOf(runId);
      assert.ok(g);
      return g;
    });
    assert.strictEqual(gate.expected, 'prod-1');
    assert.match(api.gates.confirm(gate.id, 'prod-2') ?? '', /Type "prod-1" exactly/);
    assert.strictEqual(fs.existsSync(path.join(work, 'marker.txt')), false);
    await confirmGatesUntilDone(runId, 'prod-1');
    assert.strictEqual((await api.store.read(runId)).state.status, 'succeeded');
    const confirmations = [...(await api.store.read(runId)).state.units.values()].flatMap((u) => u.confirmations);
    assert.ok(confirmations.some((c) => /typed-target-name/.test(c.method)), JSON.stringify(confirmations));
  });

  it('does not run a destructive action the user declined', async () => {
    const runId = await start({ instances: 'agent-a' });
    assert.ok(runId);
    const gate = await eventually(() => {
      const g = api.gates.gateOf(runId);
      assert.ok(g);
      return g;
    });
    api.gates.decline(gate.id);
    await api.runs.whenDone(runId);
    const { state } = await api.store.read(runId);
    assert.notStrictEqual(state.status, 'succeeded');
    assert.strictEqual(fs.existsSync(path.join(work, 'marker.txt')), false);
  });

  it('cancels a running step through "Backout: Cancel Run"', async () => {
    const runId = await start({ instances: 'agent-a', sleepSeconds: '60' });
    assert.ok(runId);
    const confirming = confirmGatesUntilDone(runId);
    await eventually(async () => {
      const { state } = await api.store.read(runId);
      assert.strictEqual([...state.units.values()].find((u) => u.step === 'settle')?.state, 'running');
    });
    const started = Date.now();
    await vscode.commands.executeCommand('backout.cancelRun', runId);
    await api.runs.whenDone(runId);
    await confirming;
    const { state } = await api.store.read(runId);
    assert.strictEqual(state.status, 'cancelled');
    assert.ok(Date.now() - started < 20_000, 'the sleeping command was stopped, not waited for');
  });

  it('lists runs in the Runs view: run → steps → instance logs', async () => {
    const runId = await start({ instances: 'agent-a' });
    assert.ok(runId);
    await confirmGatesUntilDone(runId);
    const roots = await api.runsView.getChildren();
    const run = roots.find((n): n is Extract<RunsNode, { kind: 'run' }> => n.kind === 'run' && n.runId === runId);
    assert.ok(run, 'the run is listed');
    assert.strictEqual(run.status, 'succeeded');
    const steps = await api.runsView.getChildren(run);
    assert.deepStrictEqual(steps.map((s) => (s.kind === 'run-step' ? `${s.step}:${s.state}` : s.kind)), ['prepare:succeeded', 'apply:succeeded', 'settle:succeeded']);
    const logs = await api.runsView.getChildren(steps[1]);
    assert.deepStrictEqual(logs.map((l) => (l.kind === 'run-log' ? l.instance : l.kind)), ['agent-a']);
    const item = api.runsView.getTreeItem(logs[0] as RunsNode);
    assert.strictEqual(item.command?.command, 'backout.openStepLog');
  });

  it('opens a step log as a read-only document with its own language', async () => {
    const runId = await start({ instances: 'agent-a' });
    assert.ok(runId);
    await confirmGatesUntilDone(runId);
    await vscode.commands.executeCommand('backout.openStepLog', { runId, step: 'prepare', instance: 'lab-1' });
    const editor = await eventually(() => {
      const e = vscode.window.activeTextEditor;
      assert.ok(e && e.document.uri.scheme === 'backout-log');
      return e;
    });
    assert.strictEqual(editor.document.languageId, 'backout-log');
    const text = editor.document.getText();
    assert.match(text, /stdout +preparing lab-1/);
    assert.match(text, /stderr +a warning on stderr/);
    assert.match(text, /^\d{4}-\d{2}-\d{2}T/);
  });

  it('exports a Markdown report of the run', async () => {
    const runId = await start({ instances: 'agent-a' });
    assert.ok(runId);
    await confirmGatesUntilDone(runId);
    const file = await vscode.commands.executeCommand<string>('backout.exportRunReport', runId);
    assert.ok(file && fs.existsSync(file));
    const md = fs.readFileSync(file, 'utf8');
    assert.ok(md.includes(runId));
    assert.match(md, /Apply the change/);
  });

  it('renders a dry run without executing anything', async () => {
    const plan = await vscode.commands.executeCommand<{ steps: Array<{ id: string }> } | undefined>('backout.dryRun', {
      procedureId: localSteps.id,
      target: 'lab-1',
      params: { marker: path.join(work, 'marker.txt'), instances: 'agent-a', sleepSeconds: '0', production: 'false' },
    });
    assert.ok(plan);
    assert.deepStrictEqual(plan.steps.map((s) => s.id), ['prepare', 'apply', 'settle']);
    const panel = await eventually(() => {
      const p = api.panels().find((x) => x.key.startsWith('dry-run:') && x.view?.dryRun);
      assert.ok(p);
      return p;
    });
    assert.ok(panel.view?.steps.every((s) => s.cells.every((c) => c.state === 'planned')));
    assert.strictEqual(fs.existsSync(path.join(work, 'marker.txt')), false);
  });

  it('shows a run started from the backout CLI, read from the same run folder', async () => {
    const cli = path.join(repoRoot, 'dist', 'cli.js');
    const module = path.join(repoRoot, 'out', 'test', 'fixtures', 'procedures', 'local-steps.js');
    const result = spawnSync(process.execPath, [cli, 'run', localSteps.id, '--procedures', module, '--param', 'target=cli-1', '--param', `marker=${path.join(work, 'marker.txt')}`, '--param', 'instances=agent-a', '--yes'], {
      env: { ...process.env, BACKOUT_RUNS_DIR: runsDir, ELECTRON_RUN_AS_NODE: '1' },
      encoding: 'utf8',
    });
    assert.strictEqual(result.status, 0, `${result.stdout}\n${result.stderr}`);
    const runId = /Run (\S+): succeeded/.exec(result.stdout)?.[1];
    assert.ok(runId, result.stdout);
    await vscode.commands.executeCommand('backout.openRunPanel', runId);
    await eventually(() => {
      const p = api.panels().find((x) => x.key === runId);
      assert.strictEqual(p?.view?.status, 'succeeded');
      assert.strictEqual(p.view.target, 'test target cli-1');
    });
    const roots = await api.runsView.getChildren();
    assert.ok(roots.some((n) => n.kind === 'run' && n.runId === runId));
  });
});
