// Runs inside a real VS Code extension host (as the extensionTestsPath of a smoke-test session): activates the empty
// baseline extension and Backout, timing each, and checks that activation loaded neither client-node nor ssh2.
// Prints one line "BACKOUT_BENCH <json>" that bench/activation/index.ts reads from the transcript.
import { performance } from 'perf_hooks';
import * as vscode from 'vscode';

function loaded(suffix: string): boolean {
  return Object.keys(require.cache).some((k) => k.replace(/\\/g, '/').endsWith(suffix));
}

async function timeActivation(id: string): Promise<number> {
  const ext = vscode.extensions.getExtension(id);
  if (!ext) throw new Error(`extension ${id} is not installed in this VS Code`);
  if (ext.isActive) throw new Error(`extension ${id} was already active; the measurement would be empty`);
  const t0 = performance.now();
  await ext.activate();
  return performance.now() - t0;
}

export async function run(): Promise<void> {
  const order = process.env.BACKOUT_BENCH_ORDER === 'backout-first' ? ['backout', 'empty'] : ['empty', 'backout'];
  const ms: Record<string, number> = {};
  for (const which of order) ms[which] = await timeActivation(which === 'empty' ? 'backout-bench.empty-baseline' : 'backout-ops.backout');
  const result = {
    emptyMs: ms.empty,
    backoutMs: ms.backout,
    kubeLoadedAtActivation: loaded('/dist/kube.js'),
    sshLoadedAtActivation: loaded('/dist/ssh.js'),
  };
  // First use of the Kubernetes adapter (the Targets view's first render), which loads client-node.
  const api = (await vscode.extensions.getExtension('backout-ops.backout')?.activate()) as { targets: { getChildren(): Promise<unknown[]> } };
  const t0 = performance.now();
  await api.targets.getChildren();
  const firstKubeUseMs = performance.now() - t0;
  console.log(`BACKOUT_BENCH ${JSON.stringify({ ...result, firstKubeUseMs, kubeLoadedAfterFirstUse: loaded('/dist/kube.js') })}`);
  console.log('bench: 1 passed, 0 failed');
}
