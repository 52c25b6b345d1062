// Helm's --set / --set-string parser, as far as it decides what a value becomes (helm pkg/strvals/parser.go; helm
// docs "The Format and Limitations of --set"): the text is split at every comma not escaped with a backslash, each
// part is key=value with dotted keys, and a backslash escapes the next character. So `a=x,y` is refused ("key "y"
// has no value"), `a=x,b=y` silently sets b too, and a password's backslashes vanish: the stand-in does the same, so a
// procedure that put a list or a secret on the command line fails or shows the damage here as it would in a cluster.
import { UsageError } from './flags';

type Values = Record<string, unknown>;

function splitUnescaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      cur += c + (text[i + 1] as string);
      i++;
    } else if (c === sep) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

function typed(value: string, asString: boolean): unknown {
  if (asString) return value;
  // parser.go typedVal: true/false/null and integers become typed values.
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (value === 'null') return null;
  if (/^-?(0|[1-9]\d*)$/.test(value)) return Number(value);
  return value;
}

/** Merges one --set (or --set-string) argument into `into`. */
export function applySet(into: Values, text: string, asString: boolean): void {
  for (const part of splitUnescaped(text, ',')) {
    const eq = part.search(/(?<!\\)=/);
    if (eq < 0) throw new UsageError(`failed parsing --set${asString ? '-string' : ''} data: key "${unescape(part)}" has no value`);
    const keys = splitUnescaped(part.slice(0, eq), '.').map(unescape);
    let node = into;
    for (const k of keys.slice(0, -1)) {
      const next = node[k];
      node = (node[k] = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {}) as Values;
    }
    node[keys[keys.length - 1] as string] = typed(unescape(part.slice(eq + 1)), asString);
  }
}
