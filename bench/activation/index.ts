// Activation cost as users feel it: Backout's activation in a real VS Code (code-server) against an empty
// extension's in the same extension host, over several fresh workbenches; plus the first use of the Kubernetes
// adapter (which is when client-node loads) and the size of the .vsix.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runExtensionHostTests } from '../../test/harness/exthost';

const repo = path.resolve(__dirname, '../../..');

export interface ActivationFigures {
  runs: number;
  backoutMedianMs: number;
  emptyMedianMs: number;
  ratio: number;
  firstKubeUseMedianMs: number;
  kubeLoadedAtActivation: boolean;
  sshLoadedAtActivation: boolean;
  vsixBytes: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function packageEmpty(): string {
  const out = path.join(os.tmpdir(), 'backout-bench-empty.vsix');
  const r = spawnSync(process.execPath, [path.join(repo, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '-o', out], {
    cwd: path.join(repo, 'bench/activation/empty-extension'),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) throw new Error('packaging the empty baseline extension failed');
  return out;
}

export async function benchActivation(runs = 5, log: (s: string) => void = console.log): Promise<ActivationFigures> {
  const vsixFile = path.join(repo, 'backout.vsix');
  if (!fs.existsSync(vsixFile)) throw new Error('backout.vsix is missing: run `npm run package` first');
  const empty = packageEmpty();
  const samples: Array<{ emptyMs: number; backoutMs: number; firstKubeUseMs: number; kubeLoadedAtActivation: boolean; sshLoadedAtActivation: boolean }> = [];
  for (let i = 0; i < runs; i++) {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-bench-ws-'));
    const r = await runExtensionHostTests({
      repo,
      testsEntry: path.join(repo, 'out/bench/activation/measure.js'),
      workspace,
      vsix: [empty],
      echo: false,
      // Alternate the order so that neither extension always pays for a cold extension host.
      env: { BACKOUT_BENCH_ORDER: i % 2 === 0 ? 'empty-first' : 'backout-first', KUBECONFIG: path.join(repo, 'test/fixtures/kubeconfig/team.yaml') },
      resultsDir: path.join(repo, 'test-results', 'bench-activation'),
      log: () => undefined,
    });
    const line = r.transcript.find((l) => l.startsWith('BACKOUT_BENCH '));
    if (!line) throw new Error(`activation run ${i + 1} printed no result (exit ${r.exitCode})`);
    const s = JSON.parse(line.slice('BACKOUT_BENCH '.length));
    samples.push(s);
    log(`activation run ${i + 1}: Backout ${s.backoutMs.toFixed(1)} ms, empty ${s.emptyMs.toFixed(1)} ms, first kube use ${s.firstKubeUseMs.toFixed(1)} ms`);
  }
  const backoutMedianMs = median(samples.map((s) => s.backoutMs));
  const emptyMedianMs = median(samples.map((s) => s.emptyMs));
  return {
    runs,
    backoutMedianMs,
    emptyMedianMs,
    ratio: backoutMedianMs / emptyMedianMs,
    firstKubeUseMedianMs: median(samples.map((s) => s.firstKubeUseMs)),
    kubeLoadedAtActivation: samples.some((s) => s.kubeLoadedAtActivation),
    sshLoadedAtActivation: samples.some((s) => s.sshLoadedAtActivation),
    vsixBytes: fs.statSync(vsixFile).size,
  };
}

if (require.main === module) {
  benchActivation(Number(process.argv[2] ?? 5)).then(
    (f) => {
      console.log(
        `activation: Backout ${f.backoutMedianMs.toFixed(1)} ms vs empty extension ${f.emptyMedianMs.toFixed(1)} ms (ratio ${f.ratio.toFixed(1)}x, median of ${f.runs}); ` +
          `client-node loaded at activation: ${f.kubeLoadedAtActivation}, ssh2: ${f.sshLoadedAtActivation}; first Kubernetes use ${f.firstKubeUseMedianMs.toFixed(0)} ms; .vsix ${(f.vsixBytes / 1024).toFixed(0)} KiB`,
      );
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
