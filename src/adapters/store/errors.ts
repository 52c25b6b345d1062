// Inventory errors: each names the file, the entry (DMS / Agent) and the fix.
import { BackoutError } from '../../core/errors';

export interface InventoryProblem {
  file: string;
  /** JSON pointer to the offending value, e.g. /systems/0/agents/1/port */
  pointer: string;
  /** Human name of the entry, e.g. `DMS "prod-eu" / Agent "dma-02"`. */
  entry: string;
  message: string;
  fix: string;
}

export function formatProblem(p: InventoryProblem): string {
  return `${p.file}: ${p.entry}${p.pointer === '' ? '' : ` (${p.pointer})`}: ${p.message}. Fix: ${p.fix}`;
}

export class InventoryInvalidError extends BackoutError {
  readonly code = 'inventory-invalid';
  constructor(readonly problems: readonly InventoryProblem[]) {
    super(
      problems.length === 1
        ? formatProblem(problems[0] as InventoryProblem)
        : `${problems.length} problems in the inventory:\n${problems.map((p) => `- ${formatProblem(p)}`).join('\n')}`,
    );
  }
}

export class UnknownDmsError extends BackoutError {
  readonly code = 'inventory-unknown-dms';
  constructor(
    readonly dms: string,
    readonly known: readonly string[],
  ) {
    super(`No DMS "${dms}" in the inventory (known: ${known.length > 0 ? known.join(', ') : 'none'}). Add it to .backout/inventory.json or ~/.backout/inventory.json.`);
  }
}
