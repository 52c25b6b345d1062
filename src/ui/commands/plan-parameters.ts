// The parameters a plan was made with, for Run Again, Start This Rollback and Save Parameters….
import { REDACTED } from '../../core/parameters';
import type { Plan } from '../../core/plan';

/** The raw parameters a plan was made with, without secrets (redacted in the plan; asked again when needed). */
export function rawParameters(plan: Plan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(plan.params)) if (v !== REDACTED) out[k] = String(v);
  return out;
}
