// Command-line parsing for `backout`: a command, positionals, and flags. Unknown flags are errors, not ignored.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagSpec {
  /** Takes a value (`--name value` or `--name=value`). */
  value?: boolean;
  /** May be given several times. */
  multiple?: boolean;
  short?: string;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string[]>;
}

export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, FlagSpec>>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  const byShort = new Map(Object.entries(spec).filter(([, s]) => s.short).map(([name, s]) => [s.short as string, name]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else if (/^-[A-Za-z]$/.test(arg)) {
      name = byShort.get(arg.slice(1));
      if (!name) throw new UsageError(`Unknown option ${arg}. Run \`backout help\` for the options of each command.`);
    } else {
      positionals.push(arg);
      continue;
    }
    const s = spec[name];
    if (!s) throw new UsageError(`Unknown option --${name}. Run \`backout help\` for the options of each command.`);
    let value = 'true';
    if (s.value) {
      if (inline !== undefined) value = inline;
      else {
        const next = argv[i + 1];
        if (next === undefined) throw new UsageError(`Option --${name} needs a value.`);
        value = next;
        i++;
      }
    } else if (inline !== undefined) {
      throw new UsageError(`Option --${name} takes no value.`);
    }
    const list = flags.get(name) ?? [];
    if (list.length > 0 && !s.multiple) throw new UsageError(`Option --${name} is given more than once.`);
    list.push(value);
    flags.set(name, list);
  }
  return { positionals, flags };
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  return args.flags.get(name)?.[0];
}

export function flagAll(args: ParsedArgs, name: string): string[] {
  return args.flags.get(name) ?? [];
}

export function has(args: ParsedArgs, name: string): boolean {
  return args.flags.has(name);
}

/** `--param name=value` pairs into a record; the value may contain "=". */
export function paramPairs(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param needs name=value, got "${v}".`);
    const name = v.slice(0, eq);
    if (name in out) throw new UsageError(`Parameter "${name}" is given twice.`);
    out[name] = v.slice(eq + 1);
  }
  return out;
}

/**
 * The parameters of `--params-file F` overridden by `--param` pairs (the command line wins). A file that names another
 * procedure is refused: its answers are for that one.
 */
export function withParamsFile(procedureId: string, file: { path: string; procedure?: string; params: Record<string, string> } | undefined, pairs: Record<string, string>): Record<string, string> {
  if (!file) return pairs;
  if (file.procedure !== undefined && file.procedure !== procedureId) {
    throw new UsageError(`--params-file ${file.path} is for procedure ${file.procedure}, not ${procedureId}. Plan ${file.procedure}, or remove "procedure" from the file.`);
  }
  return { ...file.params, ...pairs };
}
