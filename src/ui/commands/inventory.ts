// Commands of the DMS inventory: Register DMS…, Import Agents from SSH Config, Open DMS Inventory, and starting a
// rollback or dry run on a target of the Targets view.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { readInventoryFile } from '../../adapters/store/inventory-load';
import type { InventoryAgent, InventoryFile } from '../../adapters/store/inventory-types';
import { importAgents, importableAliases } from '../../adapters/store/ssh-config-import';
import { validateInventory } from '../../adapters/store/inventory-validate';
import type { InventoryService } from '../inventory/inventory-service';
import { SECTION } from '../settings';
import type { DmsNode, ProblemNode, TargetNode } from '../tree/nodes';
import { fsPathOf } from './command-args';
import { InputFlowCancelled, runFlow } from './multi-step';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** "user@host[:port]" → an Agent entry, or the problem with it. */
export function parseAgentSpec(spec: string, index: number): { agent?: InventoryAgent; problem?: string } {
  const m = /^(?:([^@\s]+)@)?([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::(\d{1,5}))?(?:=([A-Za-z0-9][A-Za-z0-9._-]{0,62}))?$/.exec(spec.trim());
  if (!m) return { problem: `"${spec}" is not user@host[:port][=name]` };
  const [, user, host, port, name] = m;
  if (!user) return { problem: `"${spec}" needs the Windows account: user@host` };
  const p = port ? Number(port) : undefined;
  if (p !== undefined && (p < 1 || p > 65535)) return { problem: `"${spec}": port ${port} is out of range` };
  return { agent: { name: name ?? `dma-${String(index + 1).padStart(2, '0')}`, host: host as string, user, ...(p && p !== 22 ? { port: p } : {}) } };
}

function writeInventory(file: string, inventory: InventoryFile): void {
  const check = validateInventory(inventory, file);
  if (check.problems.length > 0) throw new Error(check.problems.map((p) => `${p.entry}: ${p.message}`).join('; '));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, `${JSON.stringify(inventory, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

async function chooseFile(inventory: InventoryService): Promise<string | undefined> {
  const user = inventory.userFile();
  const folders = inventory.workspaceFolders();
  if (folders.length === 0) return user;
  const items = [
    ...folders.map((f) => ({ label: `Workspace: ${path.basename(f)}`, description: path.join(f, '.backout', 'inventory.json'), file: path.join(f, '.backout', 'inventory.json') })),
    { label: 'User', description: user, file: user },
  ];
  return (await vscode.window.showQuickPick(items, { title: 'Where should the DMS be recorded?' }))?.file;
}

export function registerInventoryCommands(inventory: InventoryService, refresh: () => void): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('backout.registerDms', async (preset?: { name?: string; production?: boolean; agents?: string[]; file?: string }) => {
      try {
        let name = preset?.name ?? '';
        let production = preset?.production ?? false;
        let specs = preset?.agents ?? [];
        if (!preset?.agents) {
          await runFlow('Register DMS', [
            {
              title: 'name',
              async run(ui) {
                name = await ui.input({
                  prompt: 'Name of the DataMiner System (how runs and prompts name it)',
                  value: name,
                  validate: (v) => (NAME.test(v.trim()) ? (inventory.find(v.trim()) ? `A DMS named "${v.trim()}" is already registered.` : undefined) : 'Letters, digits, . _ - (up to 63), starting with a letter or digit.'),
                });
                name = name.trim();
              },
            },
            {
              title: 'production',
              async run(ui) {
                production = (await ui.pick({
                  placeholder: 'Is this a production system? (destructive steps then need its name typed)',
                  items: [
                    { label: 'No', value: 'no' },
                    { label: 'Yes, production', value: 'yes' },
                  ],
                })) === 'yes';
              },
            },
            {
              title: 'Agents',
              async run(ui) {
                const text = await ui.input({
                  prompt: 'Agents as user@host[:port][=name], separated by spaces or commas (e.g. Administrator@10.0.0.11 Administrator@10.0.0.12)',
                  validate: (v) => {
                    const parts = v.split(/[\s,]+/).filter(Boolean);
                    if (parts.length === 0) return 'At least one Agent.';
                    return parts.map((s, i) => parseAgentSpec(s, i).problem).find(Boolean);
                  },
                });
                specs = text.split(/[\s,]+/).filter(Boolean);
              },
            },
          ]);
        }
        const agents = specs.map((s, i) => {
          const r = parseAgentSpec(s, i);
          if (!r.agent) throw new Error(r.problem);
          return r.agent;
        });
        const file = preset?.file ?? (await chooseFile(inventory));
        if (!file) return undefined;
        const current = readInventoryFile(file);
        if (current.problems.length > 0) throw new Error(`${file} has problems; fix them first: ${current.problems.map((p) => p.message).join('; ')}`);
        const inv: InventoryFile = current.inventory ?? { version: 1, systems: [] };
        if (inv.systems.some((s) => s.name === name)) throw new Error(`DMS "${name}" is already in ${file}.`);
        inv.systems.push({ name, production, agents });
        writeInventory(file, inv);
        refresh();
        void vscode.window.showInformationMessage(`Backout: registered DMS ${name} (${agents.length} Agent${agents.length === 1 ? '' : 's'}) in ${file}.`);
        return file;
      } catch (err) {
        if (err instanceof InputFlowCancelled) return undefined;
        void vscode.window.showErrorMessage(`Backout: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('backout.importAgentsFromSshConfig', async () => {
      try {
        const configSetting = vscode.workspace.getConfiguration(SECTION).get<string>('ssh.configFile', '').trim();
        const options = { homeDir: os.homedir(), ...(configSetting ? { configFile: configSetting } : {}) };
        const aliases = importableAliases(options);
        if (aliases.length === 0) {
          void vscode.window.showInformationMessage('Backout: your SSH config has no concrete Host entries to import.');
          return undefined;
        }
        const picked = await vscode.window.showQuickPick(aliases.map((a) => ({ label: a })), { canPickMany: true, title: 'Which SSH hosts are Agents of one DMS?' });
        if (!picked || picked.length === 0) return undefined;
        const name = await vscode.window.showInputBox({ title: 'DMS name', prompt: 'The DMS these Agents belong to (created if new)', validateInput: (v) => (NAME.test(v.trim()) ? undefined : 'Letters, digits, . _ - (up to 63).') });
        if (!name) return undefined;
        const production = (await vscode.window.showQuickPick(['No', 'Yes, production'], { title: 'Is it a production system?' })) === 'Yes, production';
        const file = await chooseFile(inventory);
        if (!file) return undefined;
        const result = importAgents(file, name.trim(), picked.map((p) => p.label), production);
        refresh();
        void vscode.window.showInformationMessage(`Backout: added ${result.added.length} Agent(s) to DMS ${name.trim()}${result.skipped.length ? ` (${result.skipped.length} already there)` : ''}.`);
        return result;
      } catch (err) {
        void vscode.window.showErrorMessage(`Backout: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('backout.openInventory', async (arg?: unknown) => {
      const target = inventoryFileOf(arg) ?? inventory.defaultFile();
      if (!fs.existsSync(target)) writeInventory(target, { version: 1, systems: [] });
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(target)));
    }),
    vscode.commands.registerCommand('backout.startRollbackOnTarget', (node?: TargetNode) => vscode.commands.executeCommand('backout.startRollback', presetFor(node))),
    vscode.commands.registerCommand('backout.dryRunOnTarget', (node?: TargetNode) => vscode.commands.executeCommand('backout.dryRun', presetFor(node))),
  ];
}

/** The target of a tree item; Start Rollback then offers the procedures that act on that kind of target. */
function presetFor(node: TargetNode | undefined): { targetKind?: 'dms' | 'kube-context'; target?: string } {
  if (node === undefined || typeof node !== 'object') return {};
  if (node.kind === 'dms') return { targetKind: 'dms', target: node.dms.name };
  if (node.kind === 'kube-context') return { targetKind: 'kube-context', target: node.context.name };
  return {};
}

/**
 * The inventory file an argument names: a path (problem items pass theirs), a DMS item (its source file), a file URI;
 * undefined for the DataMiner Systems group and for no argument (the default file is opened).
 */
function inventoryFileOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg === '' ? undefined : arg;
  const node = arg as Partial<TargetNode> | undefined;
  if (node?.kind === 'dms') return (node as DmsNode).dms.source.file;
  if (node?.kind === 'problem') return (node as ProblemNode).file;
  return fsPathOf(arg);
}
