// Renders an argv as one POSIX shell line, for display only (dry run, plan --json, reports). Local commands are
// spawned from the argv itself, never through a shell, so this quoting cannot change what runs.

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function quoteArg(arg: string): string {
  if (arg.length > 0 && SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function renderArgv(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}
