// Commands that start, follow and finish runs: Start Rollback…, Dry Run…, Resume Run…, Cancel Run, Open Run Panel,
// Open Step Log, Export Run Report.
import * as vscode from 'vscode';
import { listProcedures } from '../../core/registry';
import { InvalidParameterError } from '../../core/errors';
import type { Procedure } from '../../core/procedure';
import type { PreparedPlan } from '../../core/runs';
import { Redactor } from '../../core/redaction';
import { renderReport } from '../../core/report';
import type { ProcedureUis } from '../contributions/procedure-ui';
import type { ErrorReports } from '../error-reports';
import type { LogDocuments } from '../logs/log-documents';
import { RunPanel, type PanelDeps } from '../panel/run-panel';
import type { RunService } from '../runs/run-service';
import type { RunStore } from '../runs/run-store';
import { logAddressOf, runIdOf, stepOf } from './command-args';
import { InputFlowCancelled, makeUi } from './multi-step';
import { saveParameterFile } from './save-parameters';
import { vscodeSaveParametersHost } from './save-parameters-host';
import { workspaceParamFiles } from './workspace-param-files';
import { askRun, type AnswerMemory, type RunChoice, type RunPreset, type TargetChoices } from './run-questions';

export type { RunPreset, TargetChoices } from './run-questions';

export interface RunCommandDeps extends PanelDeps {
  store: RunStore;
  runs: RunService;
  logs: LogDocuments;
  targets: TargetChoices;
  errors: ErrorReports;
  /** What procedures add: choices, answers a target implies, parameters the editor supplies. */
  procedureUis: ProcedureUis;
  memory?: AnswerMemory;
}

/** A preset from an argument, when it is one; a tree node or URI passed by VS Code is not (the user is asked). */
function presetOf(arg: unknown): RunPreset | undefined {
  if (typeof arg !== 'object' || arg === null || 'kind' in arg || 'scheme' in arg) return undefined;
  return arg as RunPreset;
}

/** The parameter a refusal is about: the one an InvalidParameterError names, else one the message names. */
export function blamedParameter(err: unknown, procedure: Procedure): string | undefined {
  if (err instanceof InvalidParameterError) return err.parameter;
  const message = err instanceof Error ? err.message : String(err);
  const names = procedure.parameters.map((d) => d.name);
  return names.find((n) => message.includes(`${n}=`)) ?? names.find((n) => n.length > 3 && new RegExp(`\\b${n}\\b`).test(message));
}

/**
 * Asks the questions (run-questions.ts) and prepares the plan when the review is submitted; a refusal (a bad value, a
 * planner's objection) goes back to the review with the answers kept. Undefined when dismissed.
 */
async function chooseAndPrepare(title: string, submitLabel: string, deps: RunCommandDeps, preset?: RunPreset, options: { keepBlocked?: boolean } = {}): Promise<{ choice: RunChoice; prepared: PreparedPlan } | undefined> {
  let prepared: PreparedPlan | undefined;
  try {
    const choice = await askRun(title, makeUi, {
      procedures: listProcedures(),
      targets: deps.targets,
      choices: deps.procedureUis,
      ...(deps.memory ? { memory: deps.memory } : {}),
      editorSupplied: (id) => deps.procedureUis.editorSupplied(id),
      submitLabel,
      save: async (c) => void (await saveParameterFile(c, vscodeSaveParametersHost, deps.procedureUis.editorSupplied(c.procedure.id))),
      paramFiles: () => workspaceParamFiles(deps.log),
      async submit(c) {
        try {
          prepared = await prepareWithProgress(deps, c, options);
          return undefined;
        } catch (err) {
          if (isCancel(err)) return { message: 'Reading the facts was cancelled.' };
          deps.log.warn(`${c.procedure.id}: refused: ${err instanceof Error ? err.message : String(err)}`);
          const parameter = blamedParameter(err, c.procedure);
          return { message: err instanceof Error ? err.message : String(err), ...(parameter ? { parameter } : {}) };
        }
      },
    }, preset);
    return choice && prepared ? { choice, prepared } : undefined;
  } catch (err) {
    if (err instanceof InputFlowCancelled) return undefined;
    throw err;
  }
}

function isCancel(err: unknown): boolean {
  return err instanceof Error && err.message === 'cancelled';
}

/** Prepares a plan with a cancellable progress; `keepBlocked` for dry runs (the plan is shown with its blockers). */
export async function prepareWithProgress(deps: Pick<RunCommandDeps, 'runs' | 'log' | 'procedureUis'>, choice: RunChoice, options: { keepBlocked?: boolean } = {}): Promise<PreparedPlan> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Backout: reading facts for ${choice.procedure.title}…`, cancellable: true },
    async (_progress, token) => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
      try {
        return await deps.runs.prepare(choice.procedure, await deps.procedureUis.supply(choice.procedure.id, choice.params, deps.log), controller.signal, options);
      } finally {
        sub.dispose();
      }
    },
  );
}

export async function pickRun(deps: RunCommandDeps, placeholder: string, filter: (status: string, active: boolean) => boolean): Promise<string | undefined> {
  const ids = (await deps.store.list()).reverse();
  const items: Array<vscode.QuickPickItem & { runId: string }> = [];
  for (const runId of ids) {
    try {
      const { state } = await deps.store.read(runId);
      const active = deps.runs.isActive(runId);
      if (!filter(state.status, active)) continue;
      items.push({ label: runId, description: `${state.plan.procedure.title} · ${state.plan.target.name}`, detail: `${active ? 'running here' : state.status}`, runId });
    } catch {
      // A damaged run folder is listed in the Runs view with its problem; it cannot be picked here.
    }
  }
  if (items.length === 0) {
    void vscode.window.showInformationMessage(`Backout: no run to choose (${placeholder.toLowerCase()}).`);
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { placeHolder: placeholder }))?.runId;
}

export function registerRunCommands(deps: RunCommandDeps): vscode.Disposable[] {
  const showError = (err: unknown) => deps.errors.show(err);
  return [
    vscode.commands.registerCommand('backout.startRollback', async (arg?: unknown) => {
      try {
        const chosen = await chooseAndPrepare('Start Rollback', 'Start the rollback', deps, presetOf(arg));
        if (!chosen) return undefined;
        const { prepared } = chosen;
        const runId = await deps.runs.start(prepared);
        RunPanel.show(deps, runId);
        return runId;
      } catch (err) {
        showError(err);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('backout.dryRun', async (arg?: unknown) => {
      try {
        const chosen = await chooseAndPrepare('Dry Run', 'Show the plan', deps, presetOf(arg), { keepBlocked: true });
        if (!chosen) return undefined;
        const { prepared } = chosen;
        RunPanel.showPlan(deps, prepared.plan);
        return prepared.plan;
      } catch (err) {
        showError(err);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('backout.resumeRun', async (arg?: unknown) => {
      try {
        const id = runIdOf(arg, deps.store.root) ?? (await pickRun(deps, 'Resume which run?', (status, active) => !active && status !== 'succeeded'));
        if (!id) return undefined;
        await deps.store.read(id);
        RunPanel.show(deps, id);
        return await deps.runs.resume(id);
      } catch (err) {
        showError(err);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('backout.cancelRun', async (arg?: unknown) => {
      try {
        const id = runIdOf(arg, deps.store.root) ?? (await pickRun(deps, 'Cancel which run?', (status, active) => active || status === 'unfinished'));
        if (!id) return;
        const message = await deps.runs.cancel(id);
        void vscode.window.showInformationMessage(`Backout: ${message}`);
      } catch (err) {
        showError(err);
      }
    }),
    vscode.commands.registerCommand('backout.openRunPanel', async (arg?: unknown) => {
      try {
        const id = runIdOf(arg, deps.store.root) ?? (await pickRun(deps, 'Open the panel of which run?', () => true));
        if (!id) return;
        // A run that cannot be read is an error now, not a panel that stays "Loading run…".
        await deps.store.read(id);
        RunPanel.show(deps, id);
      } catch (err) {
        showError(err);
      }
    }),
    vscode.commands.registerCommand('backout.openStepLog', async (arg?: unknown) => {
      try {
        let target = logAddressOf(arg);
        if (!target) {
          const step = stepOf(arg);
          const runId = step?.runId ?? runIdOf(arg, deps.store.root) ?? (await pickRun(deps, 'Open a log of which run?', () => true));
          if (!runId) return;
          const { state } = await deps.store.read(runId);
          const items = state.plan.steps
            .filter((s) => !step || s.id === step.step)
            .flatMap((s) => s.instances.map((i) => ({ label: s.title, description: i.instance, step: s.id, instance: i.instance })));
          const chosen = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { placeHolder: 'Which step and instance?' });
          if (!chosen) return;
          target = { runId, step: chosen.step, instance: chosen.instance };
        }
        await deps.logs.open(target);
      } catch (err) {
        showError(err);
      }
    }),
    vscode.commands.registerCommand('backout.exportRunReport', async (arg?: unknown) => {
      try {
        const id = runIdOf(arg, deps.store.root) ?? (await pickRun(deps, 'Export the report of which run?', () => true));
        if (!id) return undefined;
        const storage = await deps.store.repository().open(id);
        try {
          const { state } = await deps.store.read(id);
          const md = await renderReport({ state, readLog: (s, i) => storage.readLog(s, i), redactor: new Redactor(), generatedAt: new Date().toISOString() });
          const file = await storage.writeReport(md);
          await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)), { preview: true });
          return file;
        } finally {
          await storage.close();
        }
      } catch (err) {
        showError(err);
        return undefined;
      }
    }),
  ];
}
