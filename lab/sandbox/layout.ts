// Where a sandbox keeps everything it writes: one state folder, never the user's ~/.ssh, ~/.kube or ~/.backout.
// Default: $BACKOUT_SANDBOX_DIR, else $XDG_STATE_HOME/backout/sandbox, else <Backout's cache>/sandbox
// (~/.cache/backout/sandbox), next to the cached code-server and kube binaries it reuses.
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheRoot } from '../../test/harness/cache';

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BACKOUT_SANDBOX_DIR) return path.resolve(env.BACKOUT_SANDBOX_DIR);
  if (env.XDG_STATE_HOME) return path.join(env.XDG_STATE_HOME, 'backout', 'sandbox');
  return path.join(cacheRoot(), 'sandbox');
}

export interface Layout {
  stateDir: string;
  /** The running sandbox's record (PID, URL, its processes); removed when it stops. */
  record: string;
  logs: string;
  /**
   * The Agent lab's folder. Not under the state folder: sshd reads authorized_keys and the emulator its Agent folder
   * as the lab users, who cannot pass through a 0700 home (the default state folder is under ~/.cache). It lives in
   * the system temp folder, named after the state folder so that two sandboxes never share one.
   */
  agentLab: string;
  /** The kube lab's folder: its CLI empties it at start, so nothing else lives there. */
  kubeLab: string;
  /** The kube lab writes its kubeconfig here (admin, limited and exec contexts). */
  kubeconfig: string;
  /** code-server's user-data, extensions and isolated HOME. */
  vscode: string;
  /** The folder opened in VS Code. */
  workspace: string;
  inventory: string;
  sshConfig: string;
  knownHosts: string;
  runs: string;
  /** backout.inventoryFile: a user-level inventory that stays absent, so the DMS comes from the workspace only. */
  userInventory: string;
}

/** What marks a process as the sandbox's (see procs.ts). */
export function ownership(paths: Layout): { dirs: string[]; home: string } {
  return { dirs: [paths.agentLab, paths.kubeLab], home: paths.vscode };
}

export function layout(stateDir: string, tmpDir = os.tmpdir()): Layout {
  const workspace = path.join(stateDir, 'workspace');
  const key = createHash('sha256').update(path.resolve(stateDir)).digest('hex').slice(0, 10);
  return {
    stateDir,
    record: path.join(stateDir, 'sandbox.json'),
    logs: path.join(stateDir, 'logs'),
    agentLab: path.join(tmpDir, `backout-sandbox-agents-${key}`),
    kubeLab: path.join(stateDir, 'kube-lab'),
    kubeconfig: path.join(stateDir, 'kube-lab', 'kubeconfig'),
    vscode: path.join(stateDir, 'vscode'),
    workspace,
    inventory: path.join(workspace, '.backout', 'inventory.json'),
    sshConfig: path.join(workspace, 'ssh', 'config'),
    knownHosts: path.join(workspace, 'ssh', 'known_hosts'),
    runs: path.join(workspace, 'runs'),
    userInventory: path.join(stateDir, 'user-inventory.json'),
  };
}
