// The parameters of the downgrade DaemonSet template: what each accepts, and for a bad value a message that says
// what is wrong and how to fix it (shown as an editor diagnostic and in CLI errors).
import type { JsonValue } from '../../core/json';
import { isPinned } from './image';
import { isObject } from './kube-json';

export type CliTool = 'kubectl' | 'oc';

export interface DowngradeTemplateValues {
  namespace: string;
  name: string;
  image: string;
  serviceAccount: string;
  nodeSelector: Record<string, string>;
  imagePullSecret: string;
  timeoutSeconds: number;
  cliTool: CliTool;
}

export type TemplateParameterName = keyof DowngradeTemplateValues;

export const TEMPLATE_DEFAULTS: Readonly<DowngradeTemplateValues> = {
  namespace: 'kube-system',
  name: 'storageos-downgrade-database',
  image: 'soegarots/node:v2-release-v2.7.0-27',
  serviceAccount: 'daemon-set-controller',
  nodeSelector: {},
  imagePullSecret: '',
  timeoutSeconds: 1800,
  cliTool: 'kubectl',
};

export const TEMPLATE_PARAMETER_NAMES: readonly TemplateParameterName[] = [
  'namespace',
  'name',
  'image',
  'serviceAccount',
  'nodeSelector',
  'imagePullSecret',
  'timeoutSeconds',
  'cliTool',
];

/** What each parameter accepts, in words (for CLI errors). */
export const TEMPLATE_ACCEPTS: Readonly<Record<TemplateParameterName, string>> = {
  namespace: 'a namespace name (lowercase letters, digits and -, at most 63)',
  name: 'a DaemonSet name (lowercase letters, digits and -, at most 63)',
  image: 'an image reference pinned to a tag or digest, e.g. soegarots/node:v2-release-v2.7.0-27',
  serviceAccount: 'a ServiceAccount name in the DaemonSet\'s namespace',
  nodeSelector: 'node labels as key=value,key=value, or empty for every node',
  imagePullSecret: 'a Secret name, or empty for none',
  timeoutSeconds: `a whole number of seconds from ${60} to ${86_400}`,
  cliTool: 'kubectl or oc',
};

export function isTemplateParameterName(s: string): s is TemplateParameterName {
  return (TEMPLATE_PARAMETER_NAMES as readonly string[]).includes(s);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const IMAGE = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;
export const MIN_TIMEOUT_SECONDS = 60;
export const MAX_TIMEOUT_SECONDS = 86_400;

function dnsLabel(what: string, v: string, example: string): string | undefined {
  if (v.length === 0) return `${what} is empty; give a name such as ${example}`;
  if (v.length > 63) return `${what} "${v}" is ${v.length} characters long; Kubernetes allows at most 63`;
  if (!DNS_LABEL.test(v)) return `${what} "${v}" is not a valid name; use lowercase letters, digits and '-', starting and ending with a letter or digit (e.g. ${example})`;
  return undefined;
}

function dnsSubdomain(what: string, v: string, example: string): string | undefined {
  if (v.length === 0) return `${what} is empty; give a name such as ${example}`;
  if (v.length > 253) return `${what} is longer than 253 characters`;
  if (!DNS_SUBDOMAIN.test(v)) return `${what} "${v}" is not a valid name; use lowercase letters, digits, '-' and '.' (e.g. ${example})`;
  return undefined;
}

function labelKeyProblem(k: string): string | undefined {
  const slash = k.lastIndexOf('/');
  const prefix = slash >= 0 ? k.slice(0, slash) : undefined;
  const name = slash >= 0 ? k.slice(slash + 1) : k;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return `label key "${k}" has an invalid prefix "${prefix}" (a DNS subdomain such as node-role.kubernetes.io)`;
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) return `label key "${k}" is invalid; use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  return undefined;
}

function labelValueProblem(k: string, v: string): string | undefined {
  if (v.length > 63 || (v.length > 0 && !LABEL_NAME.test(v))) return `label value "${v}" of "${k}" is invalid; use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  return undefined;
}

/** `a=b,c=d` (as given on a command line) → a map; a problem message when malformed. */
export function parseNodeSelector(text: string): { value: Record<string, string> } | { problem: string } {
  const out: Record<string, string> = {};
  if (text.trim() === '') return { value: out };
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return { problem: `"${part}" is not key=value; write the node selector as key=value pairs joined by commas, e.g. node-role.kubernetes.io/worker=true` };
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return { value: out };
}

type Checked<T> = { value: T } | { problem: string };

/**
 * Converts and checks one parameter value (from the template's parameters block or from --param text). The problem
 * message names what is wrong and what is accepted.
 */
export function checkTemplateParameter(name: TemplateParameterName, raw: JsonValue): Checked<DowngradeTemplateValues[TemplateParameterName]> {
  switch (name) {
    case 'namespace':
    case 'name': {
      if (typeof raw !== 'string') return { problem: `${name} must be text, not ${JSON.stringify(raw)}` };
      const p = dnsLabel(name, raw, name === 'namespace' ? 'kube-system' : 'storageos-downgrade-database');
      return p ? { problem: p } : { value: raw };
    }
    case 'serviceAccount': {
      if (typeof raw !== 'string') return { problem: `serviceAccount must be text, not ${JSON.stringify(raw)}` };
      const p = dnsSubdomain('serviceAccount', raw, 'daemon-set-controller');
      return p ? { problem: p } : { value: raw };
    }
    case 'imagePullSecret': {
      if (typeof raw !== 'string') return { problem: `imagePullSecret must be text (a Secret name) or "" for none, not ${JSON.stringify(raw)}` };
      if (raw === '') return { value: raw };
      const p = dnsSubdomain('imagePullSecret', raw, 'regcred');
      return p ? { problem: p } : { value: raw };
    }
    case 'image': {
      if (typeof raw !== 'string' || raw.trim() === '') return { problem: 'image is empty; give the downgrade image with its tag, e.g. soegarots/node:v2-release-v2.7.0-27' };
      if (!IMAGE.test(raw)) return { problem: `image "${raw}" is not a valid image reference; write [registry/]repository:tag in lowercase, without spaces` };
      if (!isPinned(raw)) return { problem: `image "${raw}" is not pinned; add the exact tag (e.g. :v2-release-v2.7.0-27) or a @sha256 digest, never :latest` };
      return { value: raw };
    }
    case 'timeoutSeconds': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isInteger(n)) return { problem: `timeoutSeconds must be a whole number of seconds, not ${JSON.stringify(raw)}` };
      if (n < MIN_TIMEOUT_SECONDS || n > MAX_TIMEOUT_SECONDS) return { problem: `timeoutSeconds is ${n}; use ${MIN_TIMEOUT_SECONDS} to ${MAX_TIMEOUT_SECONDS} seconds (the downgrade of a node takes minutes)` };
      return { value: n };
    }
    case 'cliTool': {
      if (raw !== 'kubectl' && raw !== 'oc') return { problem: `cliTool is ${JSON.stringify(raw)}; use kubectl, or oc on OpenShift` };
      return { value: raw };
    }
    case 'nodeSelector': {
      let map: Record<string, string>;
      if (typeof raw === 'string') {
        const parsed = parseNodeSelector(raw);
        if ('problem' in parsed) return parsed;
        map = parsed.value;
      } else if (raw === null) {
        map = {};
      } else if (isObject(raw)) {
        map = {};
        for (const [k, v] of Object.entries(raw)) {
          if (typeof v !== 'string') return { problem: `nodeSelector value of "${k}" must be text; quote it, e.g. "${k}": "${JSON.stringify(v)}"` };
          map[k] = v;
        }
      } else {
        return { problem: `nodeSelector must be a map of node labels, e.g. {node-role.kubernetes.io/worker: "true"}, or {} for every node` };
      }
      for (const [k, v] of Object.entries(map)) {
        const p = labelKeyProblem(k) ?? labelValueProblem(k, v);
        if (p) return { problem: `nodeSelector: ${p}` };
      }
      return { value: map };
    }
  }
}

/** A cross-parameter warning: the value is valid but probably not what the user wants. */
export function templateValueWarnings(v: DowngradeTemplateValues): Array<{ parameter: TemplateParameterName; message: string }> {
  const out: Array<{ parameter: TemplateParameterName; message: string }> = [];
  if (v.serviceAccount === 'daemon-set-controller' && v.namespace !== 'kube-system') {
    out.push({
      parameter: 'serviceAccount',
      message: `ServiceAccount daemon-set-controller exists only in kube-system, but the namespace is ${v.namespace}: create a ServiceAccount in ${v.namespace} and name it here, or the DaemonSet's pods will not be created`,
    });
  }
  return out;
}
