// The DMS inventory as this window sees it: the user-level file (the backout.inventoryFile setting, else
// ~/.backout/inventory.json) and, in a trusted workspace only, each folder's .backout/inventory.json. An untrusted
// workspace's inventory is not read at all, so it can neither add targets nor redirect Agents.
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { expandHome } from '../../adapters/local/home-path';
import { loadInventory, userInventoryPath, workspaceInventoryPath, type LoadedInventory } from '../../adapters/store/inventory-load';
import type { LoadedDms } from '../../adapters/store/inventory-types';
import { Disposable, DisposableGroup } from '../disposable';
import { SECTION } from '../settings';

export class InventoryService extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private readonly watchers = this.register(new DisposableGroup());

  constructor() {
    super();
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.inventoryFile`)) this.rewatch();
      }),
    );
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.rewatch()));
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.rewatch()));
    this.rewatch();
  }

  userFile(): string {
    const setting = vscode.workspace.getConfiguration(SECTION).get<string>('inventoryFile', '').trim();
    if (!setting) return userInventoryPath(os.homedir());
    return path.resolve(expandHome(setting));
  }

  /** Workspace folders whose inventory is read: none unless the workspace is trusted. */
  workspaceFolders(): string[] {
    if (!vscode.workspace.isTrusted) return [];
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  }

  /** True when workspace inventories exist but are ignored because the workspace is not trusted. */
  ignoredForTrust(): boolean {
    return !vscode.workspace.isTrusted && (vscode.workspace.workspaceFolders ?? []).length > 0;
  }

  load(): LoadedInventory {
    return loadInventory({ userFile: this.userFile(), workspaceFolders: this.workspaceFolders() });
  }

  find(name: string): LoadedDms | undefined {
    return this.load().systems.find((s) => s.name === name);
  }

  /** Where a new DMS goes: the first workspace folder's inventory when trusted, else the user file. */
  defaultFile(): string {
    const [first] = this.workspaceFolders();
    return first ? workspaceInventoryPath(first) : this.userFile();
  }

  private rewatch(): void {
    const files = [this.userFile(), ...this.workspaceFolders().map(workspaceInventoryPath)];
    this.watchers.replace(files.map((file) => {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
      const fire = () => this.changed.fire();
      w.onDidChange(fire);
      w.onDidCreate(fire);
      w.onDidDelete(fire);
      return w;
    }));
    this.changed.fire();
  }
}
