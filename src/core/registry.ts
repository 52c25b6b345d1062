// The procedures a host knows. Procedures register themselves at load time; the CLI and the extension list and look
// them up here, so adding a procedure never touches the engine or the UI.
import { DuplicateProcedureError, UnknownProcedureError } from './errors';
import type { Procedure } from './procedure';

export class ProcedureRegistry {
  private readonly byId = new Map<string, Procedure>();

  register(procedure: Procedure): void {
    if (this.byId.has(procedure.id)) throw new DuplicateProcedureError(procedure.id);
    this.byId.set(procedure.id, procedure);
  }

  get(id: string): Procedure {
    const p = this.byId.get(id);
    if (!p) throw new UnknownProcedureError(id, this.ids());
    return p;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  ids(): string[] {
    return [...this.byId.keys()].sort();
  }

  list(): Procedure[] {
    return this.ids().map((id) => this.byId.get(id) as Procedure);
  }
}

/** The process-wide registry that built-in procedures register into. */
export const procedures = new ProcedureRegistry();

export function registerProcedure<F>(procedure: Procedure<F>): void {
  procedures.register(procedure as Procedure);
}

export function getProcedure(id: string): Procedure {
  return procedures.get(id);
}

export function listProcedures(): Procedure[] {
  return procedures.list();
}
