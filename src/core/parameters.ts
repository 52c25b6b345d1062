// Typed procedure parameters and their validation. Values arrive as text (CLI flags, input boxes) and leave typed.
import { InvalidParameterError } from './errors';
import type { ParamValue, ParamValues } from './plan';

interface ParameterBase {
  name: string;
  description: string;
  /** Required unless a default is given or this is false. */
  required?: boolean;
  /** Never stored or shown; referenced by actions as ${secret:NAME}. */
  secret?: boolean;
  /**
   * When the parameter matters: every named parameter must have one of the listed values (given or default), e.g.
   * `{ route: ['package'] }`. Hosts ask only the parameters that apply to the path chosen.
   */
  appliesWhen?: ParameterCondition;
  /** Has a sound default or is read from the target: shown in the review, not asked one by one. */
  advanced?: boolean;
}

/** Parameter name → the values under which another parameter applies (all entries must hold). */
export type ParameterCondition = Readonly<Record<string, readonly ParamValue[]>>;

export interface StringParameter extends ParameterBase {
  type: 'string';
  default?: string;
  /** Regular expression the whole value must match. */
  pattern?: string;
  /** What `pattern` accepts, in words, for error messages. */
  patternDescription?: string;
  validate?(value: string): string | undefined;
}

export interface EnumParameter extends ParameterBase {
  type: 'enum';
  values: readonly string[];
  /** What each value means, shown beside it where a host offers the values as choices. */
  valueDescriptions?: Readonly<Record<string, string>>;
  default?: string;
}

export interface NumberParameter extends ParameterBase {
  type: 'number';
  default?: number;
  min?: number;
  max?: number;
  integer?: boolean;
  validate?(value: number): string | undefined;
}

export interface BooleanParameter extends ParameterBase {
  type: 'boolean';
  default?: boolean;
}

/** Dotted numeric versions like 2.6.0 or 10.3.4.0, with an optional suffix (10.4.0-CU3). */
export interface VersionParameter extends ParameterBase {
  type: 'version';
  default?: string;
  validate?(value: string): string | undefined;
}

export type ParameterDefinition = StringParameter | EnumParameter | NumberParameter | BooleanParameter | VersionParameter;

const VERSION = /^\d+(\.\d+){1,3}([-+][0-9A-Za-z][0-9A-Za-z.-]*)?$/;
const TRUE = new Set(['true', 'yes', '1', 'on']);
const FALSE = new Set(['false', 'no', '0', 'off']);

/** What a parameter accepts, in words (CLI help and error messages). */
export function describeAccepted(def: ParameterDefinition): string {
  switch (def.type) {
    case 'string':
      return def.patternDescription ?? (def.pattern ? `text matching /${def.pattern}/` : 'any text');
    case 'enum':
      return `one of ${def.values.join(', ')}`;
    case 'number': {
      const kind = def.integer ? 'a whole number' : 'a number';
      if (def.min !== undefined && def.max !== undefined) return `${kind} from ${def.min} to ${def.max}`;
      if (def.min !== undefined) return `${kind} of at least ${def.min}`;
      if (def.max !== undefined) return `${kind} of at most ${def.max}`;
      return kind;
    }
    case 'boolean':
      return 'true or false';
    case 'version':
      return 'a version like 10.3.4 or 2.6.0 (dotted numbers, optional -suffix)';
  }
}

function convert(def: ParameterDefinition, raw: string): { value: ParamValue } | { problem: string } {
  switch (def.type) {
    case 'string': {
      if (def.pattern !== undefined && !new RegExp(`^(?:${def.pattern})$`).test(raw)) return { problem: `is "${raw}"` };
      const msg = def.validate?.(raw);
      return msg ? { problem: msg } : { value: raw };
    }
    case 'enum':
      return def.values.includes(raw) ? { value: raw } : { problem: `is "${raw}"` };
    case 'number': {
      const n = raw.trim() === '' ? NaN : Number(raw);
      if (!Number.isFinite(n)) return { problem: `is "${raw}", not a number` };
      if (def.integer && !Number.isInteger(n)) return { problem: `is ${raw}, not a whole number` };
      if (def.min !== undefined && n < def.min) return { problem: `is ${raw}, below ${def.min}` };
      if (def.max !== undefined && n > def.max) return { problem: `is ${raw}, above ${def.max}` };
      const msg = def.validate?.(n);
      return msg ? { problem: msg } : { value: n };
    }
    case 'boolean': {
      const v = raw.toLowerCase();
      if (TRUE.has(v)) return { value: true };
      if (FALSE.has(v)) return { value: false };
      return { problem: `is "${raw}"` };
    }
    case 'version': {
      if (!VERSION.test(raw)) return { problem: `is "${raw}", not a version` };
      const msg = def.validate?.(raw);
      return msg ? { problem: msg } : { value: raw };
    }
  }
}

/**
 * Turns raw text values into typed ones, applying defaults. Throws InvalidParameterError naming the parameter and
 * what it accepts, for unknown names, missing required values and invalid values.
 */
export function parseParameters(
  procedureId: string,
  defs: readonly ParameterDefinition[],
  raw: Readonly<Record<string, string>>,
): ParamValues {
  const byName = new Map(defs.map((d) => [d.name, d]));
  for (const name of Object.keys(raw)) {
    if (!byName.has(name)) {
      const known = defs.map((d) => d.name);
      throw new InvalidParameterError(procedureId, name, 'is not a parameter of this procedure', known.length ? `parameters ${known.join(', ')}` : 'no parameters');
    }
  }
  const values: ParamValues = {};
  for (const def of defs) {
    const given = raw[def.name];
    if (given === undefined) {
      if (def.default !== undefined) values[def.name] = def.default;
      else if (def.required !== false) throw new InvalidParameterError(procedureId, def.name, 'is required', describeAccepted(def));
      continue;
    }
    const result = convert(def, given);
    if ('problem' in result) throw new InvalidParameterError(procedureId, def.name, result.problem, describeAccepted(def));
    values[def.name] = result.value;
  }
  return values;
}

/**
 * Whether a parameter applies given the raw values so far (defaults fill the gaps). A parameter whose condition names
 * a parameter that does not apply itself does not apply either.
 */
export function parameterApplies(def: ParameterDefinition, defs: readonly ParameterDefinition[], raw: Readonly<Record<string, string>>, seen: ReadonlySet<string> = new Set()): boolean {
  if (!def.appliesWhen) return true;
  if (seen.has(def.name)) return false;
  const byName = new Map(defs.map((d) => [d.name, d]));
  const inner = new Set([...seen, def.name]);
  return Object.entries(def.appliesWhen).every(([name, accepted]) => {
    const other = byName.get(name);
    if (!other || !parameterApplies(other, defs, raw, inner)) return false;
    const value = raw[name] ?? (other.default !== undefined ? String(other.default) : undefined);
    return value !== undefined && accepted.some((a) => String(a) === value);
  });
}

/** When a parameter applies, in words ("route is package"), for help texts; undefined when it always applies. */
export function describeCondition(def: ParameterDefinition): string | undefined {
  if (!def.appliesWhen) return undefined;
  return Object.entries(def.appliesWhen)
    .map(([name, values]) => `${name} is ${values.map(String).join(' or ')}`)
    .join(' and ');
}

export const REDACTED = '***';

/** Parameter values safe to store: secret parameters replaced by the redaction marker. */
export function storableParameters(defs: readonly ParameterDefinition[], values: ParamValues): ParamValues {
  const out: ParamValues = {};
  const secret = new Set(defs.filter((d) => d.secret).map((d) => d.name));
  for (const [k, v] of Object.entries(values)) out[k] = secret.has(k) ? REDACTED : v;
  return out;
}

/** Secret parameter values by name, to be registered with the run's redactor and placeholder substitution. */
export function secretParameters(defs: readonly ParameterDefinition[], values: ParamValues): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of defs) {
    const v = values[d.name];
    if (d.secret && v !== undefined) out.set(d.name, String(v));
  }
  return out;
}
