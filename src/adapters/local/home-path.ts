// "~" and "~/…" (or "~\…") in a path the user wrote mean their home folder, as in a shell; "~bob/…" is left alone.
import * as os from 'os';
import * as path from 'path';

export function expandHome(p: string, home: string = os.homedir()): string {
  if (p === '~') return home;
  if (p.startsWith('~/') || p.startsWith('~\\')) return path.join(home, p.slice(2));
  return p;
}
