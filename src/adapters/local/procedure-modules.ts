// Loading procedure modules at run time (the CLI's --procedures FILE; BACKOUT_PROCEDURE_MODULES for the CLI and the
// extension), so that procedure authors and tests plug procedures in without rebuilding Backout. A module is CommonJS
// and exports either `procedures` (an array of Procedure objects), a `default` procedure or array, or
// `register(registerProcedure)`.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { BackoutError } from '../../core/errors';
import type { Procedure } from '../../core/procedure';
import type { ProcedureRegistry } from '../../core/registry';

export class ProcedureModuleError extends BackoutError {
  readonly code = 'procedure-module';
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(
      `Procedure module ${file}: ${problem}. A module must export \`procedures\` (an array), a default procedure, ` +
        'or `register(registerProcedure)`; see docs/cli.md.',
    );
  }
}

function isProcedure(v: unknown): v is Procedure {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return typeof p.id === 'string' && typeof p.plan === 'function' && typeof p.target === 'function' && Array.isArray(p.parameters);
}

/** Module paths from BACKOUT_PROCEDURE_MODULES (separated like PATH) followed by those given as flags. */
export function procedureModulePaths(env: Readonly<Record<string, string | undefined>>, flags: readonly string[]): string[] {
  const fromEnv = (env.BACKOUT_PROCEDURE_MODULES ?? '').split(path.delimiter).filter((s) => s.trim() !== '');
  return [...fromEnv, ...flags];
}

export function loadProcedureModules(files: readonly string[], registry: ProcedureRegistry, cwd: string): void {
  const load = createRequire(path.join(cwd, 'backout-procedures.js'));
  for (const file of files) {
    const abs = path.resolve(cwd, file);
    let mod: unknown;
    try {
      mod = load(abs);
    } catch (err) {
      throw new ProcedureModuleError(abs, `cannot be loaded (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
    }
    const m = (mod ?? {}) as Record<string, unknown>;
    const add = (p: unknown): void => {
      if (!isProcedure(p)) throw new ProcedureModuleError(abs, 'exports something that is not a procedure (needs id, parameters, target(), plan())');
      registry.register(p);
    };
    if (typeof m.register === 'function') {
      (m.register as (r: (p: Procedure) => void) => void)((p) => add(p));
    } else if (Array.isArray(m.procedures)) {
      m.procedures.forEach(add);
    } else if (m.default !== undefined) {
      (Array.isArray(m.default) ? m.default : [m.default]).forEach(add);
    } else if (isProcedure(mod)) {
      add(mod);
    } else {
      throw new ProcedureModuleError(abs, 'exports no procedures');
    }
  }
}
