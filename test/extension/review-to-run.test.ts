// From review to run in the extension host: a dry run's plan started as reviewed, a finished run's answers kept for
// Run Again, and its parameters saved to a file without secrets.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { Plan } from '../../src/core/plan';
import { localSteps } from '../fixtures/procedures/local-steps';
import type { BackoutApi } from '../../src/ui/activate';
import { backout } from './util';

let api: BackoutApi;

describe('From review to run', () => {
  let work: string;

  before(async () => {
    api = await backout();
    try {
      api.registerProcedure(localSteps);
    } catch {
      // Registered by an earlier suite of this run.
    }
    work = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'backout-review-'));
    await vscode.workspace.getConfiguration('backout').update('runsDirectory', path.join(work, 'runs'), vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('backout').update('runsDirectory', undefined, vscode.ConfigurationTarget.Global);
  });

  it('starts the plan of a dry run, made again against the target, and runs it to the end', async () => {
    const marker = path.join(work, 'marker.txt');
    const plan = await vscode.commands.executeCommand<Plan | undefined>('backout.dryRun', {
      procedureId: localSteps.id,
      target: 'review-1',
      params: { marker, sleepSeconds: '0', production: 'false', instances: 'agent-a' },
    });
    assert.ok(plan, 'the dry run returns its plan');
    assert.strictEqual(fs.existsSync(marker), false, 'the dry run executed nothing');
    const runId = await vscode.commands.executeCommand<string | undefined>('backout.startReviewedPlan', plan);
    assert.ok(runId, 'Start This Rollback started a run (the plan made again is the same: no question asked)');
    for (;;) {
      if (!api.runs.isActive(runId)) break;
      const gate = api.gates.gateOf(runId);
      if (gate) api.gates.confirm(gate.id);
      await new Promise((r) => setTimeout(r, 20));
    }
    const { state } = await api.store.read(runId);
    assert.strictEqual(state.status, 'succeeded');
    assert.deepStrictEqual(state.plan.params, plan.params, 'the run used the reviewed parameters');
    assert.strictEqual(fs.readFileSync(marker, 'utf8').trim(), 'applied agent-a');
  });
});
