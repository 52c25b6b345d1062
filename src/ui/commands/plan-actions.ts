// From review to run: Start This Rollback (a dry run's plan, made again against the target, any difference shown
// before the first step), Plan Again With (a blocker's resolving value), Run Again (a finished run's parameters, back
// to the review), Save Parameters… (a parameter file, no secrets).
import * as vscode from 'vscode';
import type { Plan } from '../../core/plan';
import { getProcedure } from '../../core/registry';
import { planDifferences } from '../../core/plan-diff';
import { RunPanel } from '../panel/run-panel';
import { runIdOf } from './command-args';
import { rawParameters } from './plan-parameters';
import { pickRun, prepareWithProgress, type RunCommandDeps } from './runs';
import { saveParameterFile } from './save-parameters';
import { vscodeSaveParametersHost } from './save-parameters-host';

function isPlan(arg: unknown): arg is Plan {
  return typeof arg === 'object' && arg !== null && (arg as Plan).formatVersion === 1 && Array.isArray((arg as Plan).steps);
}

export function registerPlanActions(deps: RunCommandDeps): vscode.Disposable[] {
  const planOf = async (arg: unknown): Promise<Plan | undefined> => {
    if (isPlan(arg)) return arg;
    const runId = runIdOf(arg, deps.store.root);
    return runId ? (await deps.store.read(runId)).state.plan : undefined;
  };
  return [
    vscode.commands.registerCommand('backout.startReviewedPlan', async (reviewed?: unknown) => {
      try {
        if (!isPlan(reviewed)) throw new Error('Start This Rollback needs the plan of a dry run; run "Backout: Dry Run…" first.');
        const procedure = getProcedure(reviewed.procedure.id);
        // Made again against the target now: the dry run may be hours old.
        const prepared = await prepareWithProgress(deps, { procedure, params: rawParameters(reviewed) });
        const changes = planDifferences(reviewed, prepared.plan);
        if (changes.length > 0) {
          const start = 'Start the New Plan';
          const show = 'Show the New Plan';
          const answer = await vscode.window.showWarningMessage(
            `The plan changed since the dry run of ${reviewed.procedure.title} on ${reviewed.target.name}.`,
            { modal: true, detail: changes.map((c) => `• ${c}`).join('\n') },
            start,
            show,
          );
          if (answer === show) RunPanel.showPlan(deps, prepared.plan);
          if (answer !== start) return undefined;
        }
        const runId = await deps.runs.start(prepared);
        RunPanel.show(deps, runId);
        return runId;
      } catch (err) {
        deps.errors.show(err);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('backout.planAgainWith', async (reviewed?: unknown, name?: unknown, value?: unknown) => {
      try {
        if (!isPlan(reviewed) || typeof name !== 'string' || typeof value !== 'string') throw new Error('Plan Again With needs a dry run\'s plan and a parameter value.');
        const procedure = getProcedure(reviewed.procedure.id);
        const prepared = await prepareWithProgress(deps, { procedure, params: { ...rawParameters(reviewed), [name]: value } }, { keepBlocked: true });
        RunPanel.showPlan(deps, prepared.plan);
        return prepared.plan;
      } catch (err) {
        deps.errors.show(err);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('backout.runAgain', async (arg?: unknown) => {
      try {
        const plan = await planOf(arg ?? (await pickRun(deps, 'Run which run again?', (status, active) => !active && status !== 'unfinished')));
        if (!plan) return undefined;
        const procedure = getProcedure(plan.procedure.id);
        const params = rawParameters(plan);
        const tp = procedure.targetParameter;
        const target = tp ? params[tp.name] : undefined;
        // Every parameter is given: Start Rollback goes straight to its review, where any value can be changed.
        return await vscode.commands.executeCommand('backout.startRollback', { procedureId: procedure.id, ...(target ? { target } : {}), params, review: true });
      } catch (err) {
        deps.errors.show(err);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('backout.saveParameters', async (arg?: unknown) => {
      try {
        const plan = await planOf(arg ?? (await pickRun(deps, 'Save the parameters of which run?', () => true)));
        if (!plan) return undefined;
        return await saveParameterFile({ procedure: getProcedure(plan.procedure.id), params: rawParameters(plan) }, vscodeSaveParametersHost, deps.procedureUis.editorSupplied(plan.procedure.id));
      } catch (err) {
        deps.errors.show(err);
        return undefined;
      }
    }),
  ];
}
