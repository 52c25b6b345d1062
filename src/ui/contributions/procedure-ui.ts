// What a procedure adds to the generic UI, so that a new procedure needs no edit in generic code: the choices it can
// offer for its parameters (read from its target), the answers a target implies, the parameters the editor supplies
// (an edited template) and what it shows under a target in the Targets view. Contributions are looked up by
// procedure id; generic code asks the registry (ProcedureUis) and never names a procedure.
import type * as vscode from 'vscode';
import type { ParameterDefinition } from '../../core/parameters';
import type { Procedure } from '../../core/procedure';
import type { ParameterChoices, ParameterOffer, TargetKind } from '../commands/run-questions';

/** What a target detail shows: being read, read, or why it could not be. */
export type DetailStatus<V> = { state: 'checking' } | { state: 'read'; value: V } | { state: 'error'; error: string };

/**
 * The kinds of target details and the value each reads. A procedure's contribution adds its own kind in its own file
 * (declaration merging: `declare module './procedure-ui' { interface TargetDetailValues { ondat: OndatPresence } }`),
 * so the Targets tree's node kinds stay a closed union that generic code and tests can narrow.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface TargetDetailValues {}
export type DetailKind = keyof TargetDetailValues;

/** A line under a target in the Targets view (what runs on a Kubernetes context), read when the target is expanded. */
export interface TargetDetail<K extends DetailKind> {
  /** Names the detail: the tree node's kind, its id ("ondat:<context>"), log lines. */
  readonly id: K;
  readonly targetKind: TargetKind;
  /** Reads the detail, read-only and bounded in time (the adapter's timeouts). */
  read(target: string): Promise<TargetDetailValues[K]>;
  render(target: string, status: DetailStatus<TargetDetailValues[K]>): vscode.TreeItem;
}

/** Parameters the editor supplies instead of asking (the text of an edited template). */
export interface EditorSupplied {
  readonly parameters: readonly string[];
  /** The run's parameters with the editor's values added; a value the caller gave wins. */
  supply(params: Record<string, string>, log?: vscode.LogOutputChannel): Promise<Record<string, string>>;
}

export interface ProcedureUiContribution {
  procedureId: string;
  offer?(def: ParameterDefinition, values: Readonly<Record<string, string>>): Promise<ParameterOffer | undefined>;
  /** Parameter values a target implies (a DMS's Agents and production flag), offered as the answers' defaults. */
  prefill?(target: string): Record<string, string>;
  editorSupplied?: EditorSupplied;
  targetDetails?: readonly AnyTargetDetail[];
}

/** A target detail whose value type is known only to itself: what generic code holds. */
export interface AnyTargetDetail {
  readonly id: DetailKind;
  readonly targetKind: TargetKind;
  read(target: string): Promise<unknown>;
  render(target: string, status: DetailStatus<unknown>): vscode.TreeItem;
}

/** Hides a detail's value type; sound because a status given to render() comes from the same detail's read(). */
export function targetDetail<K extends DetailKind>(detail: TargetDetail<K>): AnyTargetDetail {
  return {
    id: detail.id,
    targetKind: detail.targetKind,
    read: (target) => detail.read(target),
    render: (target, status) => detail.render(target, status as DetailStatus<TargetDetailValues[K]>),
  };
}

/** The contributions of all procedures; each question is answered by the procedure's own, none for one without. */
export class ProcedureUis implements ParameterChoices {
  constructor(private readonly contributions: readonly ProcedureUiContribution[]) {}

  private of(procedureId: string): ProcedureUiContribution | undefined {
    return this.contributions.find((c) => c.procedureId === procedureId);
  }

  async offer(procedure: Procedure, def: ParameterDefinition, values: Readonly<Record<string, string>>): Promise<ParameterOffer | undefined> {
    return this.of(procedure.id)?.offer?.(def, values);
  }

  prefill(procedure: Procedure, target: string): Record<string, string> {
    return this.of(procedure.id)?.prefill?.(target) ?? {};
  }

  editorSupplied(procedureId: string): readonly string[] {
    return this.of(procedureId)?.editorSupplied?.parameters ?? [];
  }

  async supply(procedureId: string, params: Record<string, string>, log?: vscode.LogOutputChannel): Promise<Record<string, string>> {
    const supplied = this.of(procedureId)?.editorSupplied;
    return supplied ? supplied.supply(params, log) : params;
  }

  /** The details shown under a target of a kind, from every procedure acting on that kind. */
  targetDetails(kind: TargetKind): AnyTargetDetail[] {
    return this.contributions.flatMap((c) => (c.targetDetails ?? []).filter((d) => d.targetKind === kind));
  }
}
