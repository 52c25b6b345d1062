// Builds the extension's UI from its parts. Called by the composition root; returns the API the tests use.
import * as vscode from 'vscode';
import { loadKube } from '../adapters/lazy';
import { LazyKubeExecutor } from '../adapters/kube/lazy-executor';
import type { SshAdapter } from '../adapters/lazy';
import { LocalExecutor } from '../adapters/local/local-executor';
import { DeferredSshExecutor } from '../adapters/ssh/lazy-executor';
import type { Executors } from '../core/ports';
import type { Procedure } from '../core/procedure';
import { registerProcedure } from '../core/registry';
import { MementoAnswerMemory } from './commands/answer-memory';
import { dataminerUi } from './contributions/dataminer';
import { ondatUi } from './contributions/ondat';
import { ProcedureUis } from './contributions/procedure-ui';
import { runFolderOfJob } from './job-run-folder';
import { clusterNamespaces, ondatOnCluster } from './kube/cluster-reads';
import { ErrorReports } from './error-reports';
import { registerInventoryCommands } from './commands/inventory';
import { registerPlanActions } from './commands/plan-actions';
import { registerRunCommands, type RunCommandDeps, type TargetChoices } from './commands/runs';
import { AgentFactsService } from './inventory/agent-facts-service';
import { InventoryService } from './inventory/inventory-service';
import { registerTargetCommands } from './commands/targets';
import { KubeconfigWatcher } from './kubeconfig-watcher';
import { LogDocuments, LOG_SCHEME } from './logs/log-documents';
import { PANEL_VIEW_TYPE, RunPanel, type PanelDeps } from './panel/run-panel';
import { GateBroker } from './runs/gates';
import { RunService } from './runs/run-service';
import { RunStore } from './runs/run-store';
import { secretStore, sshSetup } from './runs/remote-setup';
import { createRunHostModules } from './runs/run-host-modules';
import { RunAttention } from './runs/attention';
import { registerForgetSecrets } from './runs/forget-secrets';
import { SavedSecrets } from './runs/saved-secrets';
import { RunStatusBar } from './runs/status-bar';
import { VscodePrompter } from './runs/vscode-prompter';
import { kubeconfigSetting, productionContextsSetting, SECTION } from './settings';
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
  /** Fires with the message of every error a command shows (the command contract test listens). */
  onDidReportError: vscode.Event<string>;
  /**
   * Adds a procedure (other extensions, tests): it appears in Start Rollback and Dry Run at once. With `module` (a
   * CommonJS file exporting it, as for `backout --procedures`), its runs are owned by a detached run host and survive
   * a reload; without, they run in this window. Giving the module of one already registered only records the module.
   */
  registerProcedure(procedure: Procedure, module?: string): void;
}


function runSettings(): { concurrency: number; stopOnFirstFailure: boolean } {
  const c = vscode.workspace.getConfiguration(SECTION);
  return { concurrency: c.get<number>('concurrency', 4), stopOnFirstFailure: c.get<boolean>('stopOnFirstFailure', true) };
}

export function activateUi(context: vscode.ExtensionContext): BackoutApi {
  // Built in the order each part needs the others: nothing refers to a part made after it. The run service asks for
  // run panels through an event (reveals) that panels subscribe to once they can be made.
  const log = vscode.window.createOutputChannel('Backout', { log: true });
  const errors = new ErrorReports(log);
  const inventory = new InventoryService();
  // Host keys, passphrases and passwords are asked for in modal dialogs; gates of runs go to the run panel.
  // Passwords and passphrases are remembered only when the user turns Remember on in the prompt.
  const savedSecrets = new SavedSecrets(context.secrets, context.globalState);
  const connectPrompter = new VscodePrompter({ runId: () => undefined, gates: new GateBroker(), reveal: () => undefined, saved: savedSecrets });
  const sshSetupFor = (ssh: SshAdapter) => sshSetup({ prompter: connectPrompter, secrets: context.secrets, inventory, agentEndpoint: ssh.agentEndpoint });
  const facts = new AgentFactsService(sshSetupFor);

  // What each procedure adds to the generic UI (contributions/): a new procedure adds its entry here.
  const procedureUis = new ProcedureUis([
    dataminerUi({
      find: (name) => inventory.find(name),
      read: async (name) => {
        const dms = inventory.find(name);
        return dms ? facts.upgradeChoices(dms) : undefined;
      },
    }),
    ondatUi({ namespaces: clusterNamespaces, presence: ondatOnCluster }, (message) => log.warn(message)),
  ]);

  const targets = new TargetsProvider(log, inventory, facts, (kind) => procedureUis.targetDetails(kind));
  const targetsView = vscode.window.createTreeView('backout.targets', { treeDataProvider: targets, showCollapseAll: true });

  const store = new RunStore();
  const gates = new GateBroker();
  const ssh = new DeferredSshExecutor(sshSetupFor);
  const kube = new LazyKubeExecutor(() => ({ kubeconfig: { setting: kubeconfigSetting() }, runFolder: runFolderOfJob }));
  const local = new LocalExecutor();
  const executors = (): Executors => ({ local, ssh, kube });
  const reveals = new vscode.EventEmitter<string>();
  const hostModules = createRunHostModules(context.extensionUri.fsPath);
  const runs = new RunService({
    runHost: hostModules.runHost,
    storedSecret: (name) => secretStore(context.secrets).get(name),
    connectPrompter,
    store,
    gates,
    executors,
    log,
    settings: runSettings,
    // The inventory's production flag is a fact about the DMS, not a default the run's answers may change.
    production: () => ({
      productionDms: new Set(inventory.load().systems.filter((d) => d.production).map((d) => d.name)),
      productionContexts: productionContextsSetting(),
    }),
    reveal: (runId) => reveals.fire(runId),
  });
  const panels: PanelDeps = { extensionUri: context.extensionUri, store, runs, gates, log };
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
      return inventory.load().systems.map((d) => ({
        label: d.name,
        description: `${d.production ? 'production · ' : ''}${d.agents.length} Agent${d.agents.length === 1 ? '' : 's'}`,
        detail: d.agents.map((a) => a.name).join(', '),
        value: d.name,
      }));
    },
  };

  const runCommandDeps: RunCommandDeps = {
    ...panels,
    logs,
    targets: targetChoices,
    errors,
    memory: new MementoAnswerMemory(context.globalState),
    procedureUis,
  };
  context.subscriptions.push(
    log,
    errors,
    inventory,
    inventory.onDidChange(() => targets.refresh()),
    { dispose: () => void facts.dispose() },
    { dispose: () => void ssh.close() },
    { dispose: () => void kube.close() },
    ...registerInventoryCommands(inventory, () => targets.refresh()),
    targets,
    targetsView,
    new KubeconfigWatcher(targets),
    ...registerTargetCommands(targets),
    gates,
    reveals,
    reveals.event((runId) => RunPanel.show(panels, runId)),
    runs,
    runsView,
    runsTree,
    logs,
    vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, logs),
    new RunStatusBar(runs, gates),
    registerForgetSecrets(savedSecrets),
    new RunAttention({
      gates,
      runsView: runsTree,
      panelVisible: (runId) => RunPanel.forRun(runId)?.panel.visible === true,
      openPanel: (runId) => RunPanel.show(panels, runId),
    }),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state) {
        RunPanel.restore(panels, panel, state);
      },
    }),
    vscode.commands.registerCommand('backout.refreshRuns', () => runsView.refresh()),
    ...registerRunCommands(runCommandDeps),
    ...registerPlanActions(runCommandDeps),
    ...registerTemplateFeatures(log, errors),
    { dispose: () => RunPanel.all().forEach((p) => p.dispose()) },
  );
  return { targets, runsView, runs, store, gates, panels: () => RunPanel.all(), onDidReportError: errors.onDidReport, registerProcedure: (p, module) => hostModules.register(p, module, registerProcedure) };
}
