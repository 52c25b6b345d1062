// A small interpreter for the subset of Windows PowerShell 5.1 that Backout sends to Agents: statements separated by
// newlines or `;`, single-quoted literals, `$var = <pipeline>`, `exit <expr>`, `& <program> <args>`, and pipelines of
// the cmdlets in cmdlets.ts. Anything outside the subset (double-quoted strings, subexpressions, script blocks) is
// refused with a parser error, so a renderer that relied on expansion would fail loudly here instead of passing.

export type PsValue = string | number | boolean | PsObject | PsValue[] | null;
export interface PsObject {
  [prop: string]: string | number | boolean | null;
}

export class PsParseError extends Error {}

/** A terminating or non-terminating error record, printed as Windows PowerShell prints it. */
export class PsError extends Error {
  constructor(
    readonly command: string,
    message: string,
    readonly category: string,
    readonly errorId: string,
  ) {
    super(message);
  }
}

type Tok =
  | { k: 'str'; v: string }
  | { k: 'word'; v: string }
  | { k: 'var'; v: string; member?: string }
  | { k: 'param'; v: string }
  | { k: 'num'; v: number }
  | { k: 'op'; v: string };

const QUOTES = /['\u2018\u2019\u201a\u201b]/;

export function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i] as string;
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
    } else if (ch === '\n' || ch === ';' || ch === '|' || ch === ',' || ch === '=' || ch === '&' || ch === '(' || ch === ')') {
      // `=` is an operator only at the start of a token; inside a bare word (base64 padding) it is text.
      toks.push({ k: 'op', v: ch });
      i++;
    } else if (ch === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (QUOTES.test(ch)) {
      let v = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new PsParseError('The string is missing the terminator: \'.');
        const c = src[i] as string;
        if (QUOTES.test(c)) {
          if (QUOTES.test(src[i + 1] ?? '')) {
            v += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += c;
        i++;
      }
      toks.push({ k: 'str', v });
    } else if (ch === '"' || ch === '\u201c' || ch === '\u201d' || ch === '`' || ch === '{' || ch === '}' || ch === '@') {
      throw new PsParseError(`The Agent emulator does not accept ${JSON.stringify(ch)} (expandable strings, escapes, script blocks and splatting are outside the subset Backout sends).`);
    } else if (ch === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?/.exec(src.slice(i));
      if (m?.[1] === undefined) throw new PsParseError(`Unexpected '$' at offset ${i}.`);
      toks.push(m[2] === undefined ? { k: 'var', v: m[1] } : { k: 'var', v: m[1], member: m[2] });
      i += m[0].length;
    } else {
      let j = i;
      while (j < src.length && !/[\s;|,&()'"`{}$#\u2018\u2019\u201a\u201b]/.test(src[j] as string)) j++;
      const text = src.slice(i, j);
      if (/^-?\d+$/.test(text)) toks.push({ k: 'num', v: Number(text) });
      else if (/^-[A-Za-z][A-Za-z0-9]*:?$/.test(text)) toks.push({ k: 'param', v: text.slice(1).replace(/:$/, '') });
      else toks.push({ k: 'word', v: text });
      i = j;
    }
  }
  return toks;
}

/** An argument to a command: a value, a list of values, or a -Parameter name. */
export type Arg = { kind: 'param'; name: string } | { kind: 'value'; value: PsValue };

export interface CommandCall {
  name: string;
  /** `&` call of a program rather than a cmdlet. */
  native: boolean;
  args: Arg[];
}

export type Statement =
  | { kind: 'pipeline'; assign?: string; commands: CommandCall[] }
  | { kind: 'assign'; name: string; value: PsValue }
  | { kind: 'exit'; code: Tok | undefined };

export function parse(src: string): Statement[] {
  const toks = tokenize(src);
  const statements: Statement[] = [];
  let i = 0;
  const peek = (): Tok | undefined => toks[i];
  const isOp = (t: Tok | undefined, v: string): boolean => t?.k === 'op' && t.v === v;
  const atEnd = (): boolean => i >= toks.length || isOp(peek(), '\n') || isOp(peek(), ';');

  while (i < toks.length) {
    if (atEnd()) {
      i++;
      continue;
    }
    const first = peek() as Tok;
    if (first.k === 'word' && first.v.toLowerCase() === 'exit') {
      i++;
      const code = atEnd() ? undefined : toks[i++];
      if (!atEnd()) throw new PsParseError('Unexpected token after exit.');
      statements.push({ kind: 'exit', code });
      continue;
    }
    let assign: string | undefined;
    if (first.k === 'var' && first.member === undefined && isOp(toks[i + 1], '=')) {
      assign = first.v;
      i += 2;
      const value = toks[i];
      if (value !== undefined && (value.k === 'str' || value.k === 'num' || value.k === 'var')) {
        const after = toks[i + 1];
        if (after === undefined || isOp(after, '\n') || isOp(after, ';')) {
          statements.push({ kind: 'assign', name: assign, value: literal(value) });
          i += 1;
          continue;
        }
      }
    }
    const commands: CommandCall[] = [];
    for (;;) {
      let native = false;
      if (isOp(peek(), '&')) {
        native = true;
        i++;
      }
      const nameTok = toks[i++];
      if (nameTok === undefined || (nameTok.k !== 'word' && nameTok.k !== 'str')) {
        throw new PsParseError(`Expected a command name, found ${nameTok === undefined ? 'end of input' : JSON.stringify(nameTok)}.`);
      }
      const call: CommandCall = { name: nameTok.v, native: native || nameTok.k === 'str', args: [] };
      while (!atEnd() && !isOp(peek(), '|')) {
        const t = toks[i++] as Tok;
        if (t.k === 'param') {
          call.args.push({ kind: 'param', name: t.v });
          continue;
        }
        if (t.k === 'op') throw new PsParseError(`Unexpected '${t.v}' in the arguments of ${call.name}.`);
        const values: PsValue[] = [literal(t)];
        while (isOp(peek(), ',')) {
          i++;
          const next = toks[i++];
          if (next === undefined || next.k === 'op' || next.k === 'param') throw new PsParseError('Missing expression after \',\'.');
          values.push(literal(next));
        }
        call.args.push({ kind: 'value', value: values.length === 1 ? (values[0] as PsValue) : values });
      }
      commands.push(call);
      if (isOp(peek(), '|')) {
        i++;
        continue;
      }
      break;
    }
    statements.push(assign === undefined ? { kind: 'pipeline', commands } : { kind: 'pipeline', assign, commands });
  }
  return statements;
}

function literal(t: Tok): PsValue {
  switch (t.k) {
    case 'str':
    case 'word':
      return t.v;
    case 'num':
      return t.v;
    case 'var':
      // Resolved at run time: marked with a prefix no literal can carry (NUL is refused by the renderer).
      return `\u0000var:${t.v}${t.member === undefined ? '' : '.' + t.member}`;
    default:
      throw new PsParseError(`Unexpected token ${JSON.stringify(t)}.`);
  }
}

/** Formats a value as PowerShell's default output does, one string per line. */
export function formatOutput(v: PsValue): string[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v.flatMap(formatOutput);
  if (typeof v === 'boolean') return [v ? 'True' : 'False'];
  if (typeof v === 'number') return [String(v)];
  if (typeof v === 'string') return v.split(/\r?\n/);
  const keys = Object.keys(v);
  const width = Math.max(...keys.map((k) => k.length));
  return ['', ...keys.map((k) => `${k.padEnd(width)} : ${String(v[k] ?? '')}`), ''];
}

export function formatError(e: PsError, scriptLine: number): string[] {
  return [
    `${e.command} : ${e.message}`,
    `At line:${scriptLine} char:1`,
    `    + CategoryInfo          : ${e.category}`,
    `    + FullyQualifiedErrorId : ${e.errorId}`,
    ' ',
  ];
}
