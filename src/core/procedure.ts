// A procedure: a versioned, pure definition of a rollback. Facts are gathered read-only from the target first, then
// `plan` turns parameters and facts into a plan without touching anything.
import type { CheckAction, ParamValues, PlanDraft, TargetRef } from './plan';
import type { ParameterDefinition } from './parameters';

export interface FactsContext {
  target: TargetRef;
  params: ParamValues;
  /** Runs a read-only check through the host's executors and returns its exit code and output lines. */
  read(action: CheckAction): Promise<{ exitCode: number; output: string[] }>;
  signal: AbortSignal;
}

export interface Procedure<F = unknown> {
  id: string;
  title: string;
  version: string;
  description: string;
  parameters: readonly ParameterDefinition[];
  /**
   * The parameter that names the target and the kind of target it names ("dms": a DataMiner System of the
   * inventory; "kube-context": a Kubernetes context), so that hosts can offer the targets they know.
   */
  targetParameter?: { name: string; kind: 'dms' | 'kube-context' };
  /** The target the run acts on (and is locked by), from the parameters. */
  target(params: ParamValues): TargetRef;
  /** Reads what the planner needs to know from the target; must not change anything. */
  gatherFacts?(ctx: FactsContext): Promise<F>;
  /** Pure: the same parameters and facts always give the same plan. */
  plan(params: ParamValues, facts: F | undefined, target: TargetRef): PlanDraft;
}
