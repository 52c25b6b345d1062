// Process control for the crash tests: find a process tree and kill all of it at once, as a power cut would.
import { execFileSync } from 'node:child_process';

function children(): Map<number, number[]> {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const byParent = new Map<number, number[]>();
  for (const line of out.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (!pid || ppid === undefined) continue;
    byParent.set(ppid, [...(byParent.get(ppid) ?? []), pid]);
  }
  return byParent;
}

export function processTree(root: number): number[] {
  const byParent = children();
  const seen: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    if (seen.includes(pid)) continue;
    seen.push(pid);
    stack.push(...(byParent.get(pid) ?? []));
  }
  return seen;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/**
 * Freezes the whole tree (so nothing in it can take one more step or start another process), then SIGKILLs all of
 * it: every process of the run dies at the same instant, like the machine losing power.
 */
export function killTree(root: number): void {
  const frozen = new Set<number>();
  for (;;) {
    const tree = processTree(root).filter((p) => !frozen.has(p));
    if (tree.length === 0) break;
    for (const p of tree) {
      signal(p, 'SIGSTOP');
      frozen.add(p);
    }
  }
  for (const p of frozen) signal(p, 'SIGKILL');
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 3));
  }
}
