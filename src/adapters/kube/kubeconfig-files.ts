// Which kubeconfig files to read, in kubectl's order of precedence. Kept apart from kubeconfig.ts (which loads
// client-node) so that the UI can find and watch these files without loading client-node at activation.
import * as os from 'os';
import * as path from 'path';
import { expandHome } from '../local/home-path';

/** Where the kubeconfig files come from, in kubectl's order of precedence. */
export type KubeconfigOrigin = 'setting' | 'KUBECONFIG' | 'default';

export interface KubeconfigSource {
  origin: KubeconfigOrigin;
  /** The files in merge order (first wins). */
  files: string[];
}

export interface KubeconfigFilesOptions {
  /** The `backout.kubeconfig` setting: one path or several joined by the platform's path delimiter. */
  setting?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
  delimiter?: string;
}

function splitList(value: string, delimiter: string, home: string): string[] {
  return value
    .split(delimiter)
    .map((f) => f.trim())
    .filter((f) => f.length > 0)
    .map((f) => path.resolve(expandHome(f, home)));
}

/** Which files to read: the setting if set, else $KUBECONFIG, else ~/.kube/config. */
export function kubeconfigFiles(options: KubeconfigFilesOptions = {}): KubeconfigSource {
  const env = options.env ?? process.env;
  const home = options.home ?? os.homedir();
  const delimiter = options.delimiter ?? path.delimiter;
  const setting = options.setting?.trim();
  if (setting) return { origin: 'setting', files: unique(splitList(setting, delimiter, home)) };
  const fromEnv = env.KUBECONFIG?.trim();
  if (fromEnv) return { origin: 'KUBECONFIG', files: unique(splitList(fromEnv, delimiter, home)) };
  return { origin: 'default', files: [path.join(home, '.kube', 'config')] };
}

function unique(files: string[]): string[] {
  return [...new Set(files)];
}
