// Whether a target is production is the OR of every source that can say so: the inventory (a DMS marked
// "production": true), the production contexts (VS Code's backout.productionContexts setting, the CLI's
// BACKOUT_PRODUCTION_CONTEXTS), the --production flag, and the procedure's own `production` parameter. A parameter
// or flag can only raise it: a production DMS stays production whatever a run's answers say.
import type { TargetRef } from './plan';

export interface ProductionSources {
  /** DMS names the inventory marks production. */
  productionDms?: ReadonlySet<string>;
  /** Kubernetes context names, or patterns with `*`, that are production. */
  productionContexts?: readonly string[];
  /** The host says production outright (--production). */
  always?: boolean;
}

function matches(pattern: string, name: string): boolean {
  const body = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`).test(name);
}

/** Why the target is production (empty when it is not). */
export function productionReasons(target: TargetRef, sources: ProductionSources = {}): string[] {
  const reasons: string[] = [];
  if (target.production) reasons.push('the procedure\'s production parameter');
  if (sources.always === true) reasons.push('the --production flag');
  if (target.kind === 'dms' && sources.productionDms?.has(target.name) === true) reasons.push('the inventory marks the DMS production');
  const context = target.kind === 'kube-context' ? sources.productionContexts?.find((p) => matches(p.trim(), target.name)) : undefined;
  if (context !== undefined) reasons.push(`the production contexts include "${context}"`);
  return reasons;
}

/** `patterns` from a comma-separated list (BACKOUT_PRODUCTION_CONTEXTS). */
export function parseContextList(text: string | undefined): string[] {
  return (text ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}
