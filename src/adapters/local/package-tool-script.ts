// The DataMiner package tool of a host, from the script dmupgrade-package.js: the fix step runs it as a command line,
// and inspection loads it in-process on first use. It is required at run time rather than bundled into the host:
// bundled into dist/cli.js its `require.main === module` test would hold and start its command line with the CLI's
// arguments, and the extension's activation need not parse the zip libraries.
import * as path from 'node:path';
import { BackoutError } from '../../core/errors';
import type { LocalAction } from '../../core/plan';
import type { PackageInspection, PackageTool } from '../../core/dataminer/package-tool';

type PackageModule = typeof import('./dmupgrade-package');

export class PackageToolMissingError extends BackoutError {
  readonly code = 'package-tool-missing';
  constructor(
    readonly script: string,
    readonly reason: string,
  ) {
    super(`Backout's package tool ${script} cannot be loaded (${reason}). It ships with Backout: reinstall Backout, then plan again.`);
  }
}

/**
 * The script next to this code: dist/dmupgrade-package.js beside the bundled hosts (dist/cli.js, dist/extension.js),
 * or the compiled module beside this one when running from compiled sources (out/src/adapters/local).
 */
export const defaultPackageScript = path.join(__dirname, 'dmupgrade-package.js');

export function packageToolFromScript(script: string = defaultPackageScript): PackageTool {
  let tool: PackageTool | undefined;
  const load = (): PackageTool => {
    if (tool !== undefined) return tool;
    let mod: PackageModule;
    try {
      // A run-time require of a path the bundler cannot see, on purpose (see above).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require(script) as PackageModule;
    } catch (err) {
      throw new PackageToolMissingError(script, err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err));
    }
    if (typeof mod.packageToolAt !== 'function') throw new PackageToolMissingError(script, 'it does not export packageToolAt');
    tool = mod.packageToolAt(script);
    return tool;
  };
  return {
    inspect: (file: string, signal: AbortSignal): Promise<PackageInspection> => load().inspect(file, signal),
    fixCommand: (source: string, destination: string): LocalAction => load().fixCommand(source, destination),
  };
}
