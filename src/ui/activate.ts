// Builds the extension's UI from its parts. Called by the composition root; returns the API the tests use.
import * as vscode from 'vscode';
import { loadKube } from '../adapters/lazy';
import { LocalExecutor } from '../adapters/local/local-executor';
import type { Executors } from '../core/ports';
import type { Procedure } from '../core/procedure';
import { registerProcedure } from '../core/registry';
import { registerRunCommands, type TargetChoices } from './commands/runs';
import { registerTargetCommands } from './commands/targets';
import { KubeconfigWatcher } from './kubeconfig-watcher';
import { LogDocuments, LOG_SCHEME } from './logs/log-documents';
import { PANEL_VIEW_TYPE, RunPanel, type PanelDeps } from './panel/run-panel';
import { GateBroker } from './runs/gates';
import { RunService } from './runs/run-service';
import { RunStore } from './runs/run-store';
import { RunStatusBar } from './runs/status-bar';
import { kubeconfigSetting, SECTION } from './settings';
import { registerTemplateFeatures } from './template/register';
import { RunsProvider } from './tree/runs-provider';
import { TargetsProvider } from './tree/targets-provider';

export interface BackoutApi {
  targets: TargetsProvider;
  runsView: RunsProvider;
  runs: RunService;
  store: RunStore;
  gates: GateBroker;
  panels(): RunPanel[];
  /** Adds a procedure (other extensions, tests): it appears in Start Rollback and Dry Run at once. */
  registerProcedure(procedure: Procedure): void;
}

function executors(): Executors {
  return { local: new LocalExecutor() };
}

function runSettings(): { concurrency: number; stopOnFirstFailure: boolean } {
  const c = vscode.workspace.getConfiguration(SECTION);
  return { concurrency: c.get<number>('concurrency', 4), stopOnFirstFailure: c.get<boolean>('stopOnFirstFailure', true) };
}

export function activateUi(context: vscode.ExtensionContext): BackoutApi {
  const log = vscode.window.createOutputChannel('Backout', { log: true });
  const targets = new TargetsProvider(log);
  const targetsView = vscode.window.createTreeView('backout.targets', { treeDataProvider: targets, showCollapseAll: true });

  const store = new RunStore();
  const gates = new GateBroker();
  // The run service reveals panels, and panels need the run service: the reference is filled in just below.
  const panelRef: { deps?: PanelDeps } = {};
  const runs = new RunService({
    store,
    gates,
    executors,
    log,
    settings: runSettings,
    reveal: (runId) => panelRef.deps && RunPanel.show(panelRef.deps, runId),
  });
  const deps: PanelDeps = { extensionUri: context.extensionUri, store, runs, gates, log };
  panelRef.deps = deps;
  const runsView = new RunsProvider(store, runs);
  const runsTree = vscode.window.createTreeView('backout.runs', { treeDataProvider: runsView });
  const logs = new LogDocuments(store, runs);

  const targetChoices: TargetChoices = {
    async list(kind) {
      if (kind === 'kube-context') {
        const kube = await loadKube();
        const loaded = kube.loadKubeconfig(kube.kubeconfigFiles({ setting: kubeconfigSetting() }));
        return loaded.contexts.map((c) => ({ label: c.name, description: c.server ?? '', ...(c.current ? { detail: 'current context' } : {}), value: c.name }));
      }
      return [];
    },
  };

  context.subscriptions.push(
    log,
    targets,
    targetsView,
    new KubeconfigWatcher(targets),
    ...registerTargetCommands(targets),
    gates,
    runs,
    runsView,
    runsTree,
    logs,
    vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, logs),
    new RunStatusBar(runs),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state) {
        RunPanel.restore(deps, panel, state);
      },
    }),
    vscode.commands.registerCommand('backout.refreshRuns', () => runsView.refresh()),
    ...registerRunCommands({ ...deps, logs, targets: targetChoices }),
    ...registerTemplateFeatures(log),
    { dispose: () => RunPanel.all().forEach((p) => p.dispose()) },
  );
  return { targets, runsView, runs, store, gates, panels: () => RunPanel.all(), registerProcedure: (p) => registerProcedure(p) };
}
