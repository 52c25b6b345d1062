// VS Code runs through a detached run host (issue 13 §2): Start Rollback starts the bundled `backout` CLI in its own
// session, not in the extension host; a reopened window (a second RunService, as after a reload) finds the run live,
// shows its gate and answers it through the run folder; a second Resume attaches instead of starting another host.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { hostedSteps } from '../fixtures/procedures/hosted-steps';
import type { BackoutApi } from '../../src/ui/activate';
import { GateBroker } from '../../src/ui/runs/gates';
import { RunService } from '../../src/ui/runs/run-service';
import { backout, eventually, repoRoot } from './util';

const moduleFile = path.join(repoRoot, 'out', 'test', 'fixtures', 'procedures', 'hosted-steps.js');
const cli = path.join(repoRoot, 'dist', 'cli.js');

let api: BackoutApi;
let runsDir: string;
/** Runs this suite started: a failed test must not leave a run host waiting at a gate forever. */
const startedRuns: string[] = [];
let work: string;

function sessionOf(pid: number): number {
  return Number(execFileSync('ps', ['-o', 'sid=', '-p', String(pid)], { encoding: 'utf8' }).trim());
}

function journalTypes(runId: string): string[] {
  return fs
    .readFileSync(path.join(runsDir, runId, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { type: string }).type);
}

/** Another window on the same runs folder: its own gates and run service, attached to runs through their folders. */
function reopenedWindow(log: vscode.LogOutputChannel): { runs: RunService; gates: GateBroker } {
  const gates = new GateBroker();
  const runs = new RunService({
    store: api.store,
    gates,
    executors: () => ({}),
    log,
    settings: () => ({ concurrency: 4, stopOnFirstFailure: true }),
    reveal: () => undefined,
    runHost: { command: { program: process.execPath, prefix: [cli], env: { ELECTRON_RUN_AS_NODE: '1' } }, argsFor: () => ['--procedures', moduleFile] },
  });
  return { runs, gates };
}

describe('Runs owned by a detached run host', function () {
  this.timeout(120_000);
  let log: vscode.LogOutputChannel;

  before(async function () {
    if (!fs.existsSync(cli)) this.skip();
    api = await backout();
    api.registerProcedure(hostedSteps, moduleFile);
    runsDir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'backout-hosted-runs-'));
    await vscode.workspace.getConfiguration('backout').update('runsDirectory', runsDir, vscode.ConfigurationTarget.Global);
    log = vscode.window.createOutputChannel('Backout run host test', { log: true });
  });

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'backout-hosted-work-'));
  });

  after(async () => {
    for (const runId of startedRuns) await api.runs.cancel(runId).catch(() => undefined);
    log?.dispose();
    await vscode.workspace.getConfiguration('backout').update('runsDirectory', undefined, vscode.ConfigurationTarget.Global);
  });

  it('starts the run in its own session; a reopened window shows it live and answers its gates; each destructive action once', async () => {
    const runId = await vscode.commands.executeCommand<string | undefined>('backout.startRollback', {
      procedureId: hostedSteps.id,
      target: 'hosted-1',
      params: { marker: path.join(work, 'marker.txt'), sleepSeconds: '0', production: 'false', instances: 'agent-a,agent-b' },
    });
    assert.ok(runId, 'Start Rollback returns the run id');
    startedRuns.push(runId);
    assert.ok(api.runs.isActive(runId), 'this window follows the run');
    const { state } = await api.store.read(runId);
    const holder = await api.store.locks().holder(state.plan.target);
    assert.ok(holder && holder.runId === runId, 'the run host holds the target');
    assert.notStrictEqual(holder.pid, process.pid, 'the run is not executed by the extension host');
    assert.notStrictEqual(sessionOf(holder.pid), sessionOf(process.pid), 'the run host is in its own session: the window going away does not reach it');
    // The first window shows the gate in its run panel...
    await eventually(() => assert.ok(api.gates.gateOf(runId)), 30_000);
    // ...and so does a window opened after a reload, which attaches to the run it finds running.
    const reopened = reopenedWindow(log);
    try {
      await eventually(() => assert.ok(reopened.runs.isActive(runId) && reopened.gates.gateOf(runId)), 30_000);
      assert.strictEqual(fs.existsSync(path.join(work, 'marker.txt')), false, 'nothing destructive ran before the confirmation');
      let confirmed = 0;
      await eventually(async () => {
        const gate = reopened.gates.gateOf(runId);
        if (gate && reopened.gates.confirm(gate.id) === undefined) confirmed++;
        assert.strictEqual((await api.store.read(runId)).state.status, 'succeeded');
      }, 60_000);
      assert.ok(confirmed >= 1);
      await reopened.runs.whenDone(runId);
      await eventually(() => assert.strictEqual(api.runs.isActive(runId), false), 10_000);
      assert.strictEqual(api.gates.gateOf(runId), undefined, 'the first window\'s gate went away when the other answered');
    } finally {
      reopened.runs.dispose();
      reopened.gates.dispose();
    }
    assert.deepStrictEqual(fs.readFileSync(path.join(work, 'marker.txt'), 'utf8').trim().split('\n').sort(), ['applied agent-a', 'applied agent-b']);
    const confirmations = [...(await api.store.read(runId)).state.units.values()].flatMap((u) => u.confirmations);
    assert.ok(confirmations.length >= 1 && confirmations.every((c) => /vscode/.test(c.method)), JSON.stringify(confirmations));
    assert.deepStrictEqual(journalTypes(runId).filter((t) => t === 'run-started' || t === 'run-finished'), ['run-started', 'run-finished']);
  });

  it('a second Resume of a running run attaches to it instead of starting another run host', async () => {
    const runId = await vscode.commands.executeCommand<string | undefined>('backout.startRollback', {
      procedureId: hostedSteps.id,
      target: 'hosted-2',
      params: { marker: path.join(work, 'marker.txt'), sleepSeconds: '0', production: 'false', instances: 'agent-a' },
    });
    assert.ok(runId);
    startedRuns.push(runId);
    await eventually(() => assert.ok(api.gates.gateOf(runId)), 30_000);
    const reopened = reopenedWindow(log);
    try {
      // Two Resume clicks in a window that does not follow the run yet: both attach, neither starts a host.
      const [a, b] = await Promise.all([reopened.runs.resume(runId), reopened.runs.resume(runId)]);
      assert.deepStrictEqual([a, b], [runId, runId]);
      assert.ok(reopened.runs.isActive(runId));
      await eventually(() => assert.ok(reopened.gates.gateOf(runId)), 30_000);
      const gate = reopened.gates.gateOf(runId);
      assert.ok(gate);
      reopened.gates.confirm(gate.id);
      await reopened.runs.whenDone(runId);
    } finally {
      reopened.runs.dispose();
      reopened.gates.dispose();
    }
    assert.strictEqual((await api.store.read(runId)).state.status, 'succeeded');
    assert.deepStrictEqual(journalTypes(runId).filter((t) => t === 'run-started' || t === 'run-resumed'), ['run-started'], 'no second run host resumed it');
    assert.deepStrictEqual(fs.readFileSync(path.join(work, 'marker.txt'), 'utf8').trim().split('\n'), ['applied agent-a']);
  });

  it('cancels a hosted run through a request its run host honours, and Resume starts a new run host for it without repeating the destructive action', async () => {
    const runId = await vscode.commands.executeCommand<string | undefined>('backout.startRollback', {
      procedureId: hostedSteps.id,
      target: 'hosted-3',
      params: { marker: path.join(work, 'marker.txt'), sleepSeconds: '60', production: 'false', instances: 'agent-a' },
    });
    assert.ok(runId);
    startedRuns.push(runId);
    const gate = await eventually(() => {
      const g = api.gates.gateOf(runId);
      assert.ok(g);
      return g;
    }, 30_000);
    api.gates.confirm(gate.id);
    await eventually(async () => {
      const { state } = await api.store.read(runId);
      assert.strictEqual([...state.units.values()].find((u) => u.step === 'settle')?.state, 'running');
    }, 30_000);
    const started = Date.now();
    await vscode.commands.executeCommand('backout.cancelRun', runId);
    await api.runs.whenDone(runId);
    assert.strictEqual((await api.store.read(runId)).state.status, 'cancelled');
    assert.ok(Date.now() - started < 30_000, 'the 60 s step was stopped, not waited for');
    const cancelled = fs.readFileSync(path.join(runsDir, runId, 'journal.jsonl'), 'utf8');
    assert.match(cancelled, /vscode/, 'the journal names where the cancel came from');
    // Resume: a new run host; the interrupted idempotent step runs again, the destructive one is not repeated.
    assert.strictEqual(await vscode.commands.executeCommand<string | undefined>('backout.resumeRun', runId), runId);
    assert.ok(api.runs.isActive(runId));
    const { state } = await api.store.read(runId);
    const holder = await api.store.locks().holder(state.plan.target);
    assert.ok(holder && holder.runId === runId && holder.pid !== process.pid, 'resumed by a run host, not the extension host');
    await vscode.commands.executeCommand('backout.cancelRun', runId);
    await api.runs.whenDone(runId);
    assert.deepStrictEqual(journalTypes(runId).filter((t) => t === 'run-started' || t === 'run-resumed'), ['run-started', 'run-resumed']);
    assert.deepStrictEqual(fs.readFileSync(path.join(work, 'marker.txt'), 'utf8').trim().split('\n'), ['applied agent-a'], 'the destructive action ran once');
  });
});
