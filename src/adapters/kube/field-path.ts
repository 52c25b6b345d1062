// Expectations on object fields, as the procedures state them: a dotted path with numeric array indexes
// (`spec.template.spec.containers.0.image`) that must equal a value or match a regular expression.

export interface FieldExpectation {
  path: string;
  equals?: string;
  matches?: string;
}

export function valueAt(obj: unknown, path: string): unknown {
  let current: unknown = obj;
  for (const part of path.split('.')) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current)) current = /^\d+$/.test(part) ? current[Number(part)] : undefined;
    else if (typeof current === 'object') current = (current as Record<string, unknown>)[part];
    else return undefined;
  }
  return current;
}

function show(value: unknown): string {
  if (value === undefined) return '(absent)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Undefined when the object meets the expectation, else what it holds instead. */
export function unmet(obj: unknown, e: FieldExpectation): string | undefined {
  const value = valueAt(obj, e.path);
  const text = value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
  if (e.equals !== undefined && text !== e.equals) return `${e.path} = ${show(value)}, expected ${e.equals}`;
  if (e.matches !== undefined && (text === undefined || !new RegExp(e.matches).test(text))) {
    return `${e.path} = ${show(value)}, expected to match /${e.matches}/`;
  }
  return undefined;
}
