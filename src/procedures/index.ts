// The procedures Backout ships. Hosts (the CLI, the extension) register these at start; adding a procedure means
// adding it here, never touching the engine or the UI.
import type { Procedure } from '../core/procedure';
import { dataminerDowngrade } from './dataminer/procedure';
import { ondatDowngrade } from './ondat/procedure';

export const builtinProcedures: readonly Procedure[] = [dataminerDowngrade as Procedure, ondatDowngrade as Procedure];
