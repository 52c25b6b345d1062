// Where the lab's local-tool stand-ins live, for PATH: the sandbox puts it on code-server's PATH, tests on their own.
import * as path from 'path';

/** lab/kube/bin of this checkout (this file runs from out/lab/kube/plugin/). */
export function pluginBinDir(): string {
  return path.resolve(__dirname, '..', '..', '..', '..', 'lab', 'kube', 'bin');
}

/** PATH with the stand-ins first. */
export function pathWithPlugin(current: string | undefined): string {
  return [pluginBinDir(), ...(current ? [current] : [])].join(path.delimiter);
}
