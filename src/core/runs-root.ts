// Where runs live. The CLI and the extension resolve it the same way, so a run started in one is shown and resumed
// in the other: the `backout.runsDirectory` setting (extension only), else $BACKOUT_RUNS_DIR, else
// $BACKOUT_HOME/runs, else ~/.backout/runs.
import * as path from 'node:path';

export interface RunsRootInputs {
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
  /** An explicit choice (the extension setting), which wins when non-empty. */
  override?: string;
}

export function resolveRunsRoot({ env, homedir, override }: RunsRootInputs): string {
  if (override && override.trim() !== '') return path.resolve(expandHome(override.trim(), homedir));
  const dir = env.BACKOUT_RUNS_DIR;
  if (dir && dir !== '') return path.resolve(expandHome(dir, homedir));
  const home = env.BACKOUT_HOME;
  if (home && home !== '') return path.resolve(expandHome(home, homedir), 'runs');
  return path.join(homedir, '.backout', 'runs');
}

function expandHome(p: string, homedir: string): string {
  if (p === '~') return homedir;
  if (p.startsWith('~/') || p.startsWith('~\\')) return path.join(homedir, p.slice(2));
  return p;
}

/**
 * Target locks live in one folder per user, whatever runs folder the CLI or the extension uses, so that they
 * exclude each other: $BACKOUT_LOCKS_DIR, else $BACKOUT_HOME/locks, else ~/.backout/locks.
 */
export function locksDirectory({ env, homedir }: Omit<RunsRootInputs, 'override'>): string {
  const dir = env.BACKOUT_LOCKS_DIR;
  if (dir && dir !== '') return path.resolve(expandHome(dir, homedir));
  const home = env.BACKOUT_HOME;
  if (home && home !== '') return path.resolve(expandHome(home, homedir), 'locks');
  return path.join(homedir, '.backout', 'locks');
}
