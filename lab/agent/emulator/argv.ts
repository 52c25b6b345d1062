// Splits a Windows command line into arguments as CommandLineToArgvW / the MSVC runtime do: whitespace separates,
// double quotes group, 2n backslashes + quote -> n backslashes and a quote toggle, 2n+1 backslashes + quote -> n
// backslashes and a literal quote, other backslashes are literal. `""` inside quotes is a literal quote (post-2008 rule).
export function splitWindowsCommandLine(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let inArg = false;
  let quoted = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i] as string;
    if (ch === '\\') {
      let n = 0;
      while (line[i] === '\\') {
        n++;
        i++;
      }
      if (line[i] === '"') {
        current += '\\'.repeat(Math.floor(n / 2));
        if (n % 2 === 1) {
          current += '"';
          i++;
        }
      } else {
        current += '\\'.repeat(n);
      }
      inArg = true;
      continue;
    }
    if (ch === '"') {
      if (quoted && line[i + 1] === '"') {
        current += '"';
        i += 2;
        continue;
      }
      quoted = !quoted;
      inArg = true;
      i++;
      continue;
    }
    if ((ch === ' ' || ch === '\t') && !quoted) {
      if (inArg) args.push(current);
      current = '';
      inArg = false;
      i++;
      continue;
    }
    current += ch;
    inArg = true;
    i++;
  }
  if (inArg) args.push(current);
  return args;
}
