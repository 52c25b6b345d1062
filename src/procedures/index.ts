// The procedures Backout ships. Hosts (the CLI, the extension) register these at start; adding a procedure means
// adding it here, never touching the engine or the UI.
import type { Procedure } from '../core/procedure';
import { createDowngradeProcedure } from './dataminer/procedure';
import type { PackageTool } from '../core/dataminer/package-tool';
import { ondatDowngrade } from './ondat/procedure';

export interface BuiltinOptions {
  /** Reads and fixes DataMiner packages on this machine; without it route B takes only packages already on the Agents. */
  packageTool?: PackageTool;
}

/** The built-in procedures, wired with what the host provides. */
export function builtinProcedures(options: BuiltinOptions = {}): Procedure[] {
  return [createDowngradeProcedure(options.packageTool) as Procedure, ondatDowngrade as Procedure];
}
