// Commands that start, follow and finish runs: Start Rollback…, Dry Run…, Resume Run…, Cancel Run, Open Run Panel,
// Open Step Log, Export Run Report.
import * as vscode from 'vscode';
import { listProcedures } from '../../core/registry';
import type { Procedure } from '../../core/procedure';
import { Redactor } from '../../core/redaction';
import { renderReport } from '../../core/report';
import type { ErrorReports } from '../error-reports';
import type { LogDocuments } from '../logs/log-documents';
import { RunPanel, type PanelDeps } from '../panel/run-panel';
import type { RunService } from '../runs/run-service';
import type { RunStore } from '../runs/run-store';
import { editorSuppliedParameters, withTemplateParameter } from '../template/resolve-template';
import { logAddressOf, runIdOf, stepOf } from './command-args';
import { InputFlowCancelled, runFlow, type FlowStep, type PickItem } from './multi-step';
import { parameterSteps } from './parameters';

export interface TargetChoices {
  /** The targets of a kind that this window knows (Kubernetes contexts, DMS of the inventory). */
  list(kind: 'dms' | 'kube-context'): Promise<Array<PickItem<string>>>;
  /** Parameter values a target implies (a DMS's Agents and production flag), offered as the answers' defaults. */
  paramsFor?(kind: 'dms' | 'kube-context', name: string): Record<string, string>;
}

export interface RunCommandDeps extends PanelDeps {
  store: RunStore;
  runs: RunService;
  logs: LogDocuments;
  targets: TargetChoices;
  errors: ErrorReports;
}

interface Choice {
  procedure: Procedure;
  params: Record<string, string>;
}

/** Procedure → target → parameters, each validated as typed. Undefined when the user dismissed it. */
/** What a caller (a tree item, another extension, a test) can fill in ahead; the user is asked for the rest. */
export interface RunPreset {
  procedureId?: string;
  /** Only procedures acting on this kind of target are offered. */
  targetKind?: 'dms' | 'kube-context';
  target?: string;
  params?: Record<string, string>;
}

/** A preset from an argument, when it is one; a tree node or URI passed by VS Code is not (the user is asked). */
function presetOf(arg: unknown): RunPreset | undefined {
  if (typeof arg !== 'object' || arg === null || 'kind' in arg || 'scheme' in arg) return undefined;
  return arg as RunPreset;
}

async function chooseRun(title: string, deps: RunCommandDeps, preset?: RunPreset): Promise<Choice | undefined> {
  const all = listProcedures().filter((p) => !preset?.targetKind || p.targetParameter?.kind === preset.targetKind);
  if (all.length === 0) {
    void vscode.window.showErrorMessage(`Backout: no procedure is registered${preset?.targetKind ? ` for a ${preset.targetKind === 'dms' ? 'DataMiner System' : 'Kubernetes context'}` : ''}.`);
    return undefined;
  }
  let procedure = all.find((p) => p.id === preset?.procedureId) ?? (all.length === 1 ? all[0] : undefined);
  const params: Record<string, string> = { ...preset?.params };
  const pickProcedure: FlowStep = {
    title: 'procedure',
    async run(ui) {
      const id = await ui.pick({
        placeholder: 'Which rollback procedure?',
        items: all.map((p) => ({ label: p.title, description: `${p.id} · v${p.version}`, detail: p.description, value: p.id })),
        ...(procedure ? { activeValue: procedure.id } : {}),
      });
      const next = all.find((p) => p.id === id);
      if (next !== procedure) for (const k of Object.keys(params)) delete params[k];
      procedure = next;
    },
  };
  // The steps after the procedure depend on it; they are made once per procedure so that Back keeps the answers.
  const later = new Map<string, FlowStep[]>();
  const prefill = (p: Procedure, kind: 'dms' | 'kube-context', name: string) => {
    const implied = deps.targets.paramsFor?.(kind, name) ?? {};
    for (const def of p.parameters) {
      const v = implied[def.name];
      if (v !== undefined && preset?.params?.[def.name] === undefined) params[def.name] = v;
    }
  };
  const stepsFor = (p: Procedure): FlowStep[] => {
    const cached = later.get(p.id);
    if (cached) return cached;
    const steps: FlowStep[] = [];
    const tp = p.targetParameter;
    if (tp && preset?.target) {
      params[tp.name] = preset.target;
      prefill(p, tp.kind, preset.target);
    } else if (tp) {
      steps.push({
        title: tp.kind === 'dms' ? 'DataMiner System' : 'Kubernetes context',
        async run(ui) {
          const items = await deps.targets.list(tp.kind);
          if (items.length === 0) {
            throw new Error(tp.kind === 'dms' ? 'No DataMiner System is registered. Run "Backout: Register DMS…" first.' : 'No Kubernetes context found. Check your kubeconfig.');
          }
          params[tp.name] = await ui.pick({ placeholder: `Target of ${p.title}`, items, ...(params[tp.name] ? { activeValue: params[tp.name] } : {}) });
          prefill(p, tp.kind, params[tp.name] as string);
        },
      });
    }
    // Parameters given by the caller are not asked again.
    const given = new Set([...(tp ? [tp.name] : []), ...Object.keys(preset?.params ?? {}), ...editorSuppliedParameters(p.id)]);
    steps.push(...parameterSteps(p, params, given));
    later.set(p.id, steps);
    return steps;
  };
  const fixedProcedure = (preset?.procedureId !== undefined || all.length === 1) && procedure !== undefined;
  try {
    await runFlow(title, () => [...(fixedProcedure ? [] : [pickProcedure]), ...(procedure ? stepsFor(procedure) : [])]);
  } catch (err) {
    if (err instanceof InputFlowCancelled) return undefined;
    throw err;
  }
  return procedure ? { procedure, params } : undefined;
}

async function prepareWithProgress(deps: RunCommandDeps, choice: Choice) {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Backout: reading facts for ${choice.procedure.title}…`, cancellable: true },
    async (_progress, token) => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
      try {
        return await deps.runs.prepare(choice.procedure, await withTemplateParameter(choice.procedure.id, choice.params, deps.log), controller.signal);
      } finally {
        sub.dispose();
      }
    },
  );
}

async function pickRun(deps: RunCommandDeps, placeholder: string, filter: (status: string, active: boolean) => boolean): Promise<string | undefined> {
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
        const choice = await chooseRun('Start Rollback', deps, presetOf(arg));
        if (!choice) return undefined;
        const prepared = await prepareWithProgress(deps, choice);
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
        const choice = await chooseRun('Dry Run', deps, presetOf(arg));
        if (!choice) return undefined;
        const prepared = await prepareWithProgress(deps, choice);
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
