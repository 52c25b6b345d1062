// The questions of Start Rollback and Dry Run, without VS Code: procedure → target → only the parameters that apply
// to the path chosen and are not advanced → one review listing every applicable parameter with its value. Enter on
// the review submits; a refusal (bad value, a planner's objection) comes back to the review with every answer kept and
// the faulty parameter marked.
import { describeAccepted, describeCondition, parameterApplies, type ParameterDefinition } from '../../core/parameters';
import type { Procedure } from '../../core/procedure';
import { BackRequested, InputFlowCancelled, RetryStep, runFlow, type FlowStep, type FlowUi, type FlowUiFactory, type PickItem } from './flow';
import { parameterProblem, typedValue } from './parameters';

export type TargetKind = 'dms' | 'kube-context';

export interface TargetChoices {
  /** The targets of a kind that this window knows (Kubernetes contexts, DMS of the inventory). */
  list(kind: TargetKind): Promise<Array<PickItem<string>>>;
}

/** Answers that can be known ahead (versions in the Agents' history, packages on the Agents), for one parameter. */
export interface ParameterChoices {
  /** The choices for a parameter given the answers so far; undefined when the value is typed. */
  offer(procedure: Procedure, def: ParameterDefinition, values: Readonly<Record<string, string>>): Promise<ParameterOffer | undefined>;
  /** Parameter values a target implies (a DMS's Agents and production flag), offered as the answers' defaults. */
  prefill?(procedure: Procedure, target: string): Record<string, string>;
}

export interface ParameterOffer {
  items: Array<PickItem<string>>;
  /** Offer the file dialog as well (a local package); the filters of the dialog. */
  localFile?: { title: string; filters: Record<string, string[]> };
}

/** The last answers per procedure and target (never secrets). */
export interface AnswerMemory {
  recall(procedureId: string, target: string): Record<string, string>;
  remember(procedureId: string, target: string, answers: Record<string, string>): Promise<void>;
}

/** What a caller (a tree item, another extension, a test) can fill in ahead; the user is asked for the rest. */
export interface RunPreset {
  procedureId?: string;
  /** Only procedures acting on this kind of target are offered. */
  targetKind?: TargetKind;
  target?: string;
  params?: Record<string, string>;
  /**
   * Show the review even when nothing is asked (Run Again). A caller that gives every answer (another extension, a
   * test) otherwise submits at once, as before the review existed.
   */
  review?: boolean;
}

export interface RunChoice {
  procedure: Procedure;
  params: Record<string, string>;
}

/** Why a submission was refused, and which parameter to change (when one is to blame). */
export interface Refusal {
  message: string;
  parameter?: string;
}

export interface RunQuestionsDeps {
  procedures: Procedure[];
  targets: TargetChoices;
  choices?: ParameterChoices;
  memory?: AnswerMemory;
  /** Parameters the editor supplies (an edited template), never asked. */
  editorSupplied?(procedureId: string): readonly string[];
  /** What Enter on the review does ("Start the rollback", "Show the plan"). */
  submitLabel: string;
  /** Prepares the choice; a refusal returns to the review. */
  submit(choice: RunChoice): Promise<Refusal | undefined>;
  /** Save Parameters… on the review (a parameter file), when the host can. */
  save?(choice: RunChoice): Promise<void>;
  /** Parameter files offered beside the procedures (.backout/params/ of a trusted workspace). */
  paramFiles?(): Promise<ParamFileChoice[]>;
}

/** A parameter file offered in the procedure step: choosing it takes its procedure and answers. */
export interface ParamFileChoice {
  label: string;
  file: string;
  procedure: string;
  params: Record<string, string>;
}

const TYPE_OTHER = '\u0000type';
const BROWSE = '\u0000browse';

type ReviewAction = { kind: 'submit' } | { kind: 'save' } | { kind: 'change'; name: string };

/** The parameters asked one by one: they apply, are not advanced and were not given ahead. */
export function askedParameters(procedure: Procedure, values: Readonly<Record<string, string>>, given: ReadonlySet<string>): ParameterDefinition[] {
  return procedure.parameters.filter((d) => !given.has(d.name) && !d.advanced && parameterApplies(d, procedure.parameters, values));
}

/** A parameter's value as the review shows it: the answer, else the default, else that it is not set. */
export function shownValue(def: ParameterDefinition, values: Readonly<Record<string, string>>): string {
  const v = values[def.name];
  if (def.secret) return v !== undefined ? '•••••• (given)' : 'asked when the run needs it';
  if (v !== undefined) return v === '' ? '(empty)' : v.length > 80 ? `${v.slice(0, 77)}…` : v;
  if (def.default !== undefined) return `${String(def.default) === '' ? '(empty)' : String(def.default)} (default)`;
  return def.required === false ? '(not set)' : '(required)';
}

/** Asks one parameter: a choice where the answers are known, else typed text validated as it is typed. */
async function ask(ui: FlowUi, procedure: Procedure, def: ParameterDefinition, values: Record<string, string>, choices: ParameterChoices | undefined): Promise<void> {
  const current = values[def.name] ?? (def.default !== undefined ? String(def.default) : undefined);
  if (def.type === 'enum' || def.type === 'boolean') {
    const options = def.type === 'enum' ? def.values : ['true', 'false'];
    const chosen = await ui.pick({
      placeholder: def.description,
      items: options.map((o) => ({
        label: o,
        ...(String(def.default) === o ? { description: 'default' } : {}),
        ...(def.type === 'enum' && def.valueDescriptions?.[o] ? { detail: def.valueDescriptions[o] } : {}),
      })).map((it) => ({ ...it, value: it.label })),
      ...(current !== undefined ? { activeValue: current } : {}),
    });
    values[def.name] = chosen;
    return;
  }
  const offer = def.secret ? undefined : await choices?.offer(procedure, def, values);
  if (offer && (offer.items.length > 0 || offer.localFile)) {
    const items: Array<PickItem<string>> = [
      ...offer.items,
      ...(offer.localFile && ui.pickFile ? [{ label: '$(folder-opened) Choose a local file…', detail: offer.localFile.title, value: BROWSE }] : []),
      { label: '$(edit) Type a value…', detail: describeAccepted(def), alwaysShow: true, value: TYPE_OTHER },
    ];
    const typed = { text: '' };
    const chosen = await ui.pick({ placeholder: def.description, items, typed, ...(current !== undefined ? { activeValue: current } : {}) });
    if (chosen === BROWSE && offer.localFile && ui.pickFile) {
      const file = await ui.pickFile(offer.localFile);
      if (file === undefined) return ask(ui, procedure, def, values, choices);
      values[def.name] = file;
      return;
    }
    if (chosen !== TYPE_OTHER) {
      values[def.name] = chosen;
      return;
    }
    // What was typed in the filter is the value meant: the input box starts with it.
    if (typed.text.trim() !== '') return typeValue(ui, procedure, def, values, typed.text.trim());
  }
  return typeValue(ui, procedure, def, values, current);
}

/** Asks a parameter as typed text; a secret is used exactly as typed, anything else trimmed. */
export async function typeValue(ui: FlowUi, procedure: Procedure, def: ParameterDefinition, values: Record<string, string>, current: string | undefined): Promise<void> {
  const optional = def.required === false || def.default !== undefined;
  const typed = await ui.input({
    prompt: `${def.description} (${describeAccepted(def)}${optional ? '; leave empty for the default' : ''})`,
    ...(current !== undefined && !def.secret ? { value: current } : {}),
    placeholder: def.name,
    password: def.secret === true,
    validate: (v) => parameterProblem(procedure, def, typedValue(def, v)),
  });
  const value = typedValue(def, typed);
  if (value === '') delete values[def.name];
  else values[def.name] = value;
}

/**
 * Procedure → target → the questions that apply → review. Returns the choice the host accepted (submit returned no
 * refusal), or undefined when the user dismissed the flow.
 */
export async function askRun(title: string, makeUi: FlowUiFactory, deps: RunQuestionsDeps, preset?: RunPreset): Promise<RunChoice | undefined> {
  const all = deps.procedures.filter((p) => !preset?.targetKind || p.targetParameter?.kind === preset.targetKind);
  if (all.length === 0) {
    throw new Error(`No procedure is registered${preset?.targetKind ? ` for a ${preset.targetKind === 'dms' ? 'DataMiner System' : 'Kubernetes context'}` : ''}.`);
  }
  let procedure = all.find((p) => p.id === preset?.procedureId) ?? (all.length === 1 ? all[0] : undefined);
  const params: Record<string, string> = { ...preset?.params };
  /** Values taken from the last run on the same target, marked in the review. */
  let recalled = new Set<string>();
  let refusal: Refusal | undefined;
  let accepted: RunChoice | undefined;

  const prefill = (p: Procedure, name: string) => {
    const implied = deps.choices?.prefill?.(p, name) ?? {};
    const last = deps.memory?.recall(p.id, name) ?? {};
    recalled = new Set();
    for (const def of p.parameters) {
      if (preset?.params?.[def.name] !== undefined || def.secret) continue;
      const remembered = last[def.name];
      const v = implied[def.name];
      if (v !== undefined) params[def.name] = v;
      else if (remembered !== undefined && def.name !== p.targetParameter?.name) {
        params[def.name] = remembered;
        recalled.add(def.name);
      }
    }
  };
  if (procedure?.targetParameter && preset?.target) {
    params[procedure.targetParameter.name] = preset.target;
    prefill(procedure, preset.target);
  }

  const files = preset?.procedureId ? [] : ((await deps.paramFiles?.()) ?? []).filter((f) => all.some((p) => p.id === f.procedure));
  /** Answers taken from a parameter file: not asked again (the review shows them). */
  let fromFile = new Set<string>();
  const pickProcedure: FlowStep = {
    title: 'procedure',
    async run(ui) {
      const id = await ui.pick({
        placeholder: files.length > 0 ? 'Which rollback procedure, or which saved parameters?' : 'Which rollback procedure?',
        items: [
          ...all.map((p) => ({ label: p.title, description: `${p.id} · v${p.version}`, detail: p.description, value: p.id })),
          ...files.map((f) => ({ label: `$(file) ${f.label}`, description: f.procedure, detail: Object.entries(f.params).map(([k, v]) => `${k}=${v}`).join(' · '), value: `file:${f.file}` })),
        ],
        ...(procedure ? { activeValue: procedure.id } : {}),
      });
      const file = files.find((f) => `file:${f.file}` === id);
      if (file) {
        for (const k of Object.keys(params)) if (preset?.params?.[k] === undefined) delete params[k];
        procedure = all.find((p) => p.id === file.procedure);
        Object.assign(params, file.params, preset?.params ?? {});
        fromFile = new Set(Object.keys(file.params));
        recalled = new Set();
        return;
      }
      fromFile = new Set();
      const next = all.find((p) => p.id === id);
      if (next !== procedure) {
        for (const k of Object.keys(params)) if (preset?.params?.[k] === undefined) delete params[k];
        const tp = next?.targetParameter;
        if (tp && preset?.target) {
          params[tp.name] = preset.target;
          prefill(next, preset.target);
        }
      }
      procedure = next;
    },
  };

  const targetStep = (p: Procedure, tp: NonNullable<Procedure['targetParameter']>): FlowStep => ({
    title: tp.kind === 'dms' ? 'DataMiner System' : 'Kubernetes context',
    async run(ui) {
      const items = await deps.targets.list(tp.kind);
      if (items.length === 0) {
        throw new Error(tp.kind === 'dms' ? 'No DataMiner System is registered. Run "Backout: Register DMS…" first.' : 'No Kubernetes context found. Check your kubeconfig.');
      }
      const before = params[tp.name];
      params[tp.name] = await ui.pick({ placeholder: `Target of ${p.title}`, items, ...(before ? { activeValue: before } : {}) });
      if (params[tp.name] !== before) prefill(p, params[tp.name] as string);
    },
  });

  const given = (p: Procedure): Set<string> =>
    new Set([...(p.targetParameter ? [p.targetParameter.name] : []), ...Object.keys(preset?.params ?? {}), ...fromFile, ...(deps.editorSupplied?.(p.id) ?? [])]);

  const reviewStep = (p: Procedure): FlowStep => ({
    title: 'review',
    async run(ui) {
      reviewed = true;
      for (;;) {
        const action = await review(ui, p);
        if (action.kind === 'change') {
          const def = p.parameters.find((d) => d.name === action.name) as ParameterDefinition;
          try {
            await ask(ui, p, def, params, deps.choices);
            recalled.delete(def.name);
            if (refusal?.parameter === def.name) refusal = undefined;
          } catch (err) {
            // Back (or Escape) from changing one value returns to the review, not to the questions.
            if (!(err instanceof BackRequested) && !(err instanceof InputFlowCancelled)) throw err;
          }
          continue;
        }
        const choice = { procedure: p, params: { ...params } };
        if (action.kind === 'save') {
          await deps.save?.(choice);
          continue;
        }
        refusal = await deps.submit(choice);
        if (refusal) continue;
        accepted = choice;
        await deps.memory?.remember(p.id, params[p.targetParameter?.name ?? ''] ?? '', rememberable(p, params));
        return;
      }
    },
  });

  const review = (ui: FlowUi, p: Procedure): Promise<ReviewAction> => {
    const applicable = p.parameters.filter((d) => parameterApplies(d, p.parameters, params));
    const items: Array<PickItem<ReviewAction>> = [
      { label: `$(play) ${deps.submitLabel}`, detail: refusal ? `Refused: ${refusal.message}` : 'Enter starts with the values below; select a line to change it.', value: { kind: 'submit' } },
      ...(deps.save ? [{ label: '$(save) Save Parameters…', detail: 'A parameter file for `backout plan|run --params-file` or .backout/params/ (no secrets).', value: { kind: 'save' } as ReviewAction }] : []),
      ...applicable.map((d) => {
        const faulty = refusal?.parameter === d.name;
        const problem = faulty ? refusal?.message : (params[d.name] !== undefined ? parameterProblem(p, d, params[d.name] as string) : undefined);
        return {
          label: `${problem ? '$(error) ' : ''}${d.name}`,
          description: `${shownValue(d, params)}${recalled.has(d.name) ? ' · last used' : ''}`,
          detail: problem ? `${problem}` : `${d.description}${d.appliesWhen ? ` (asked when ${describeCondition(d)})` : ''}`,
          value: { kind: 'change', name: d.name } as ReviewAction,
        };
      }),
    ];
    const faulty = refusal?.parameter;
    return ui.pick<ReviewAction>({
      placeholder: refusal ? `Refused: ${refusal.message}` : `Review ${p.title}: Enter ${deps.submitLabel.toLowerCase()}`,
      items,
      ...(faulty ? { activeValue: items.find((it) => it.value.kind === 'change' && it.value.name === faulty)?.value } : {}),
    } as { placeholder: string; items: ReadonlyArray<PickItem<ReviewAction>>; activeValue?: ReviewAction });
  };

  /** Whether the review was shown once: a refusal then keeps coming back to it. */
  let reviewed = false;
  const submitStep = (p: Procedure): FlowStep => ({
    title: 'submit',
    async run() {
      const choice = { procedure: p, params: { ...params } };
      refusal = await deps.submit(choice);
      if (refusal) {
        // Nothing was asked, but the refusal is shown where it can be resolved: in the review.
        reviewed = true;
        throw new RetryStep();
      }
      accepted = choice;
    },
  });

  const steps = (): FlowStep[] => {
    const fixed = (preset?.procedureId !== undefined || (all.length === 1 && files.length === 0)) && procedure !== undefined;
    const out: FlowStep[] = fixed ? [] : [pickProcedure];
    const p = procedure;
    if (!p) return out;
    const tp = p.targetParameter;
    if (tp && !preset?.target && !fromFile.has(tp.name)) out.push(targetStep(p, tp));
    if (tp && params[tp.name] === undefined) return out;
    const skip = given(p);
    for (const def of askedParameters(p, params, skip)) out.push({ title: def.name, run: (ui) => ask(ui, p, def, params, deps.choices) });
    if (out.length > 0 || preset?.review === true || reviewed) out.push(reviewStep(p));
    else out.push(submitStep(p));
    return out;
  };

  await runFlow(title, steps, makeUi);
  return accepted;
}

/** The answers worth offering next time on the same target: not secrets, not the target itself. */
function rememberable(p: Procedure, params: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of p.parameters) {
    const v = params[d.name];
    if (v === undefined || d.secret || d.name === p.targetParameter?.name) continue;
    out[d.name] = v;
  }
  return out;
}
