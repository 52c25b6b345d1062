// What a run host started from this window needs to reach the same things the window reaches: the window's settings
// turned into the CLI's environment variables (runs folder, kubeconfig, SSH config and known_hosts, production
// contexts, the inventory file, SSH identity files). Secrets are not among them: they go through the launcher's pipe or the run's socket.
import * as path from 'path';
import * as vscode from 'vscode';
import { kubeconfigFiles } from '../../adapters/kube/kubeconfig-files';
import { expandHome } from '../../adapters/local/home-path';
import { kubeconfigSetting, productionContextsSetting, SECTION } from '../settings';

export function hostEnvironment(runsRoot: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const c = vscode.workspace.getConfiguration(SECTION);
  const sshConfig = c.get<string>('ssh.configFile', '').trim();
  const knownHosts = c.get<string>('ssh.knownHostsFile', '').trim();
  const identityFiles = c.get<string[]>('ssh.identityFiles', []).map((f) => expandHome(f));
  const inventoryFile = c.get<string>('inventoryFile', '').trim();
  const kubeconfig = kubeconfigSetting();
  const production = productionContextsSetting();
  return {
    ...base,
    BACKOUT_RUNS_DIR: runsRoot,
    // The setting wins over KUBECONFIG in the window; the run host reads KUBECONFIG: the same files, in the same order.
    ...(kubeconfig ? { KUBECONFIG: kubeconfigFiles({ setting: kubeconfig }).files.join(path.delimiter) } : {}),
    ...(sshConfig ? { BACKOUT_SSH_CONFIG: expandHome(sshConfig) } : {}),
    ...(knownHosts ? { BACKOUT_KNOWN_HOSTS: expandHome(knownHosts) } : {}),
    ...(production.length > 0 ? { BACKOUT_PRODUCTION_CONTEXTS: production.join(',') } : {}),
    ...(identityFiles.length > 0 ? { BACKOUT_SSH_IDENTITY_FILES: identityFiles.join(path.delimiter) } : {}),
    ...(inventoryFile ? { BACKOUT_INVENTORY_FILE: expandHome(inventoryFile) } : {}),
  };
}
