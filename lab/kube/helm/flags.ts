// The helm command line as Helm 3 defines it, for the lab's stand-in (helm.sh/docs/helm: helm_upgrade, helm_status,
// helm_history, helm_list, helm_repo_add; global flags from helm_upgrade's "Options inherited from parent commands").
// Anything else is refused as cobra refuses it ("unknown flag"), so a procedure that passes a flag the real helm
// lacks fails here too.

export class UsageError extends Error {}

/** A flag's spelling: long name -> takes a value; `short` maps one-letter forms onto long names. */
export interface FlagTable {
  long: Readonly<Record<string, boolean>>;
  short: Readonly<Record<string, string>>;
  /** Flags that may be given more than once (their values add up). */
  repeated: readonly string[];
}

const GLOBAL: Record<string, boolean> = {
  debug: false,
  kubeconfig: true,
  'kube-context': true,
  'kube-apiserver': true,
  'kube-token': true,
  'kube-as-user': true,
  'kube-ca-file': true,
  'kube-insecure-skip-tls-verify': false,
  'kube-tls-server-name': true,
  namespace: true,
  'registry-config': true,
  'repository-cache': true,
  'repository-config': true,
};

function table(own: Record<string, boolean>, short: Record<string, string> = {}, repeated: string[] = []): FlagTable {
  return { long: { ...GLOBAL, ...own }, short: { n: 'namespace', ...short }, repeated };
}

/** helm upgrade (helm.sh/docs/helm/helm_upgrade). */
export const UPGRADE = table(
  {
    install: false,
    version: true,
    values: true,
    set: true,
    'set-string': true,
    'set-file': true,
    'set-json': true,
    'create-namespace': false,
    wait: false,
    'wait-for-jobs': false,
    timeout: true,
    atomic: false,
    'cleanup-on-fail': false,
    'dry-run': false,
    force: false,
    'reset-values': false,
    'reuse-values': false,
    'history-max': true,
    description: true,
    devel: false,
    'no-hooks': false,
    repo: true,
    'skip-crds': false,
    output: true,
  },
  { i: 'install', f: 'values', o: 'output' },
  ['values', 'set', 'set-string', 'set-file', 'set-json'],
);

export const STATUS = table({ revision: true, output: true, 'show-desc': false }, { o: 'output' });
export const HISTORY = table({ max: true, output: true }, { o: 'output' });
export const LIST = table({ all: false, 'all-namespaces': false, deployed: false, failed: false, pending: false, superseded: false, output: true, filter: true }, { a: 'all', A: 'all-namespaces', o: 'output' });
export const REPO_ADD = table({ 'force-update': false, username: true, password: true, 'pass-credentials': false, 'insecure-skip-tls-verify': false });
export const VERSION = table({ short: false, template: true });

export interface Parsed {
  flags: Map<string, string[]>;
  positional: string[];
}

export function parseFlags(args: readonly string[], t: FlagTable): Parsed {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  const put = (name: string, value: string): void => {
    const seen = flags.get(name);
    if (seen && !t.repeated.includes(name)) seen.splice(0, seen.length, value);
    else flags.set(name, [...(seen ?? []), value]);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith('-') || a === '-') {
      positional.push(a);
      continue;
    }
    const long = a.startsWith('--');
    const eq = a.indexOf('=');
    const spelled = a.slice(long ? 2 : 1, eq >= 0 ? eq : undefined);
    const name = long ? spelled : t.short[spelled];
    const takesValue = name !== undefined ? t.long[name] : undefined;
    if (name === undefined || takesValue === undefined) throw new UsageError(`unknown ${long ? 'flag' : 'shorthand flag'}: '${spelled}' in ${a}`);
    if (!takesValue) {
      put(name, eq >= 0 ? a.slice(eq + 1) : 'true');
      continue;
    }
    if (eq >= 0) put(name, a.slice(eq + 1));
    else {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`flag needs an argument: --${name}`);
      put(name, v);
    }
  }
  return { flags, positional };
}

export function one(p: Parsed, name: string): string | undefined {
  const v = p.flags.get(name);
  return v?.[v.length - 1];
}

export function bool(p: Parsed, name: string): boolean {
  return one(p, name) === 'true';
}

/** Go's time.ParseDuration for the forms helm's --timeout takes (e.g. 15m, 90s, 1m30s); milliseconds. */
export function duration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(h|m|s|ms)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[m[2] as 'h' | 'm' | 's' | 'ms'];
    matched = re.lastIndex;
  }
  if (text === '' || matched !== text.length) throw new UsageError(`invalid argument "${text}" for "--timeout" flag: time: invalid duration "${text}"`);
  return total;
}
