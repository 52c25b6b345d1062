// The editable downgrade DaemonSet template: parsing, checking and rendering. One analysis serves the editor
// (diagnostics as the user types), the planner (the manifest sent to the cluster) and "Export as script".
// A template is two YAML documents: `parameters:` with values, then the DaemonSet referring to them as ${name}.
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, stringify, visit, type Document, type Node } from 'yaml';
import type { JsonObject, JsonValue } from '../../core/json';
import { canonicalJson, fnv1a64 } from './fingerprint';
import { arr, isObject, str, stringMap } from './kube-json';
import { NO_RANGE, type TemplateDiagnostic, type TemplatePosition } from './template-diagnostic';
import {
  checkTemplateParameter,
  isTemplateParameterName,
  TEMPLATE_DEFAULTS,
  TEMPLATE_PARAMETER_NAMES,
  templateValueWarnings,
  type DowngradeTemplateValues,
  type TemplateParameterName,
} from './template-parameters';

/** The annotation that records which rendering a DaemonSet came from. */
export const TEMPLATE_HASH_ANNOTATION = 'backout.io/template-hash';
const STATE_PATH = '/var/lib/storageos';
const PLACEHOLDER = /\$\{\s*([^}\s]*)\s*\}/g;
const WHOLE_PLACEHOLDER = /^\$\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}$/;

export interface RenderedDowngrade {
  values: DowngradeTemplateValues;
  /** The DaemonSet as sent, with the template-hash annotation. */
  object: JsonObject;
  /** The same as YAML: the exact manifest of the plan's step. */
  manifest: string;
  hash: string;
  /** spec.selector.matchLabels as `a=b,...`, for listing the DaemonSet's pods. */
  selector: Record<string, string>;
  /** Name of the init container that does the work. */
  initContainer: string;
  /** Valid but doubtful values (e.g. a ServiceAccount that exists only in another namespace). */
  warnings: TemplateDiagnostic[];
}

export interface TemplateAnalysis {
  diagnostics: TemplateDiagnostic[];
  /** Present when there are no errors (warnings allowed). */
  rendered?: RenderedDowngrade;
}

/** Values given outside the template (--param, the run form); they win over the template's parameters block. */
export type TemplateOverrides = Partial<Record<TemplateParameterName, JsonValue>>;

class Positions {
  constructor(private readonly lc: LineCounter) {}
  at(offset: number): TemplatePosition {
    const p = this.lc.linePos(offset);
    return { line: p.line - 1, character: p.col - 1 };
  }
  range(node: Node | null | undefined): TemplateDiagnostic['range'] {
    const r = node?.range;
    if (!r) return NO_RANGE;
    return { start: this.at(r[0]), end: this.at(r[1]) };
  }
  span(start: number, end: number): TemplateDiagnostic['range'] {
    return { start: this.at(start), end: this.at(end) };
  }
}

const REMOVED = Symbol('removed');
type Rendered = JsonValue | typeof REMOVED;

function isEmptyValue(v: JsonValue): boolean {
  return v === '' || v === null || (isObject(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0);
}

/** Substitutes ${name} in every string; a value that is only a placeholder of an empty optional value is left out. */
function substitute(value: JsonValue, values: DowngradeTemplateValues): Rendered {
  if (typeof value === 'string') {
    const whole = WHOLE_PLACEHOLDER.exec(value);
    if (whole && isTemplateParameterName(whole[1] as string)) {
      const v = values[whole[1] as TemplateParameterName] as JsonValue;
      return isEmptyValue(v) ? REMOVED : v;
    }
    return value.replace(PLACEHOLDER, (m, name: string) => {
      if (!isTemplateParameterName(name)) return m;
      const v = values[name];
      return typeof v === 'object' ? m : String(v);
    });
  }
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    let removed = 0;
    for (const item of value) {
      const r = substitute(item, values);
      if (r === REMOVED) removed++;
      else out.push(r);
    }
    return removed > 0 && out.length === 0 ? REMOVED : out;
  }
  if (isObject(value)) {
    const out: JsonObject = {};
    let removed = 0;
    for (const [k, v] of Object.entries(value)) {
      const r = substitute(v, values);
      if (r === REMOVED) removed++;
      else out[k] = r;
    }
    return removed > 0 && Object.keys(out).length === 0 ? REMOVED : out;
  }
  return value;
}

function parameterNodes(doc: Document.Parsed): Map<string, { key: Node; value: Node | null }> {
  const out = new Map<string, { key: Node; value: Node | null }>();
  const params = doc.get('parameters', true);
  if (!isMap(params)) return out;
  for (const pair of params.items) {
    if (isScalar(pair.key)) out.set(String(pair.key.value), { key: pair.key, value: (pair.value as Node | null) ?? null });
  }
  return out;
}

/** Checks the template text, with optional overrides; renders it when nothing is wrong. Never throws. */
export function analyzeTemplate(text: string, overrides: TemplateOverrides = {}): TemplateAnalysis {
  const lc = new LineCounter();
  const pos = new Positions(lc);
  const diagnostics: TemplateDiagnostic[] = [];
  const error = (message: string, range: TemplateDiagnostic['range'], parameter?: string): void => {
    diagnostics.push({ severity: 'error', message, range, ...(parameter ? { parameter } : {}) });
  };
  const warn = (message: string, range: TemplateDiagnostic['range'], parameter?: string): void => {
    diagnostics.push({ severity: 'warning', message, range, ...(parameter ? { parameter } : {}) });
  };

  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [];
  for (const d of list) for (const e of d.errors) error(`YAML: ${e.message.split('\n')[0]}`, pos.span(e.pos[0], e.pos[1]));
  if (diagnostics.length > 0) return { diagnostics };
  if (list.length !== 2 || !isMap(list[0]?.contents) || !list[0]?.has('parameters')) {
    error(
      'a template is two YAML documents separated by "---": first "parameters:" with the values, then the DaemonSet that uses them as ${name}',
      list.length > 0 ? pos.range(list[0]?.contents) : NO_RANGE,
    );
    return { diagnostics };
  }
  const paramDoc = list[0] as Document.Parsed;
  const manifestDoc = list[1] as Document.Parsed;

  // Parameters: template values over defaults, overrides over both.
  const values: DowngradeTemplateValues = { ...TEMPLATE_DEFAULTS, nodeSelector: { ...TEMPLATE_DEFAULTS.nodeSelector } };
  const nodes = parameterNodes(paramDoc);
  if (!isMap(paramDoc.get('parameters', true)) && paramDoc.get('parameters') !== null) {
    error('"parameters" must be a map of name: value', pos.range(paramDoc.get('parameters', true) as Node));
  }
  const assign = (name: TemplateParameterName, raw: JsonValue, range: TemplateDiagnostic['range'], via: string): void => {
    const checked = checkTemplateParameter(name, raw);
    if ('problem' in checked) error(`${checked.problem}${via}`, range, name);
    else (values as unknown as Record<string, unknown>)[name] = checked.value;
  };
  for (const [name, n] of nodes) {
    if (!isTemplateParameterName(name)) {
      error(`unknown parameter "${name}"; the template knows ${TEMPLATE_PARAMETER_NAMES.join(', ')}`, pos.range(n.key), name);
      continue;
    }
    if (overrides[name] !== undefined) continue;
    const raw = (n.value ? (n.value.toJSON() as JsonValue) : null) ?? null;
    assign(name, raw, pos.range(n.value ?? n.key), '');
  }
  for (const name of TEMPLATE_PARAMETER_NAMES) {
    const raw = overrides[name];
    if (raw === undefined) continue;
    const n = nodes.get(name);
    assign(name, raw, n ? pos.range(n.value ?? n.key) : NO_RANGE, ` (given as --param ${name}, which overrides the template)`);
  }

  // Placeholders in the manifest must name known parameters, and maps can only stand for a whole value.
  visit(manifestDoc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return;
      const s = node.value;
      for (const m of s.matchAll(PLACEHOLDER)) {
        const name = m[1] as string;
        if (!isTemplateParameterName(name)) {
          error(`unknown placeholder \${${name}}; use one of ${TEMPLATE_PARAMETER_NAMES.map((p) => `\${${p}}`).join(', ')}`, pos.range(node), name);
        } else if (name === 'nodeSelector' && !WHOLE_PLACEHOLDER.test(s)) {
          error('${nodeSelector} is a map of labels: use it as the whole value (nodeSelector: ${nodeSelector}), not inside text', pos.range(node), name);
        }
      }
      if (s.replace(PLACEHOLDER, '').includes('${')) error('"${" without a closing "}"', pos.range(node));
    },
  });
  // Bad parameter values still let the manifest be checked (with defaults in their place); bad placeholders do not.
  if (diagnostics.some((d) => d.severity === 'error' && !isTemplateParameterName(d.parameter ?? ''))) return { diagnostics };
  if (diagnostics.some((d) => d.severity === 'error' && d.message.startsWith('unknown placeholder'))) return { diagnostics };

  const source = manifestDoc.toJS() as JsonValue;
  const rendered = substitute(source, values);
  if (rendered === REMOVED || !isObject(rendered)) {
    error('the second document must be the DaemonSet manifest (a map)', pos.range(manifestDoc.contents));
    return { diagnostics };
  }
  const at = (...path: Array<string | number>): TemplateDiagnostic['range'] => {
    for (let i = path.length; i > 0; i--) {
      const node = manifestDoc.getIn(path.slice(0, i), true) as Node | undefined;
      if (node && (isScalar(node) || isMap(node) || isSeq(node))) return pos.range(node);
    }
    return pos.range(manifestDoc.contents);
  };

  // What the run relies on; each is one of the vendor script's defects or an assumption of the wait.
  if (rendered.apiVersion !== 'apps/v1' || rendered.kind !== 'DaemonSet') {
    error(`the manifest must be an apps/v1 DaemonSet, not ${String(rendered.apiVersion)} ${String(rendered.kind)}`, at('kind'));
  }
  const mName = str(rendered, 'metadata', 'name');
  if (mName !== values.name) {
    error(`metadata.name is ${mName === undefined ? 'missing' : `"${mName}"`}, but the run waits for and deletes the DaemonSet named by parameter name ("${values.name}"); write name: \${name}`, at('metadata', 'name'), 'name');
  }
  const mNs = str(rendered, 'metadata', 'namespace');
  if (mNs !== values.namespace) {
    error(
      `metadata.namespace is ${mNs === undefined ? 'missing' : `"${mNs}"`}, but the run works in namespace "${values.namespace}"; write namespace: \${namespace} so the namespace is applied everywhere`,
      at('metadata', 'namespace'),
      'namespace',
    );
  }
  const selector = stringMap(rendered, 'spec', 'selector', 'matchLabels');
  const podLabels = stringMap(rendered, 'spec', 'template', 'metadata', 'labels');
  if (Object.keys(selector).length === 0) error('spec.selector.matchLabels is empty; the run finds the DaemonSet\'s pods by it (e.g. app: ${name})', at('spec', 'selector'));
  for (const [k, v] of Object.entries(selector)) {
    if (podLabels[k] !== v) error(`spec.selector.matchLabels ${k}=${v} is not among the pod template's labels; Kubernetes rejects such a DaemonSet`, at('spec', 'template', 'metadata', 'labels'));
  }
  const podSpec = ['spec', 'template', 'spec'];
  const inits = arr(rendered, ...podSpec, 'initContainers');
  const containers = arr(rendered, ...podSpec, 'containers');
  const init = inits[0];
  if (!init) error('spec.template.spec.initContainers is empty; the downgrade runs as the init container so that a Ready pod means a finished node', at(...podSpec));
  if (containers.length === 0) error('spec.template.spec.containers is empty; a container must keep the pod Running once the init container is done', at(...podSpec));
  if (init && str(init, 'image') !== values.image) {
    warn(`the first init container runs "${String(str(init, 'image'))}", not the image parameter ("${values.image}"); write image: \${image}`, at(...podSpec, 'initContainers', 0, 'image'), 'image');
  }
  const stateVolumes = arr(rendered, ...podSpec, 'volumes').filter((v) => str(v, 'hostPath', 'path') === STATE_PATH);
  const mounted = arr(init, 'volumeMounts').some((m) => str(m, 'mountPath') === STATE_PATH && stateVolumes.some((v) => str(v, 'name') === str(m, 'name')));
  if (init && !mounted) {
    error(`the init container must mount the hostPath ${STATE_PATH} (where each node keeps its Ondat database)`, at(...podSpec, 'initContainers', 0, 'volumeMounts'));
  }
  for (const w of templateValueWarnings(values)) {
    const n = nodes.get(w.parameter);
    warn(w.message, n ? pos.range(n.value ?? n.key) : NO_RANGE, w.parameter);
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };

  const hash = fnv1a64(canonicalJson(rendered));
  const metadata = rendered.metadata as JsonObject;
  const annotations = isObject(metadata.annotations) ? metadata.annotations : {};
  metadata.annotations = { ...annotations, [TEMPLATE_HASH_ANNOTATION]: hash };
  return {
    diagnostics,
    rendered: {
      values,
      object: rendered,
      manifest: stringify(rendered, { lineWidth: 0 }),
      hash,
      selector,
      initContainer: str(init, 'name') ?? 'downgrade-database',
      warnings: diagnostics.filter((d) => d.severity === 'warning'),
    },
  };
}

/** Diagnostics only, for the editor. Pure; never throws. */
export function validateTemplate(text: string, overrides: TemplateOverrides = {}): TemplateDiagnostic[] {
  return analyzeTemplate(text, overrides).diagnostics;
}
