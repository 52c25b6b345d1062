// `npm run bench`: runs every benchmark in bench/ (each measures its baseline again in the same run) and writes
// docs/benchmarks.md with each ratio and the machine it ran on. `npm run bench -- engine,activation` runs some.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { benchActivation, type ActivationFigures } from './activation/index';
import { formatEngineBench, runEngineBench, type EngineBenchFigures } from './engine/index';
import { formatKubeBench, runKubeBench, type KubeBenchFigures } from './kube/index';
import { runSshBench, type SshBenchFigures } from './ssh/ssh.bench';

const repo = path.resolve(__dirname, '../..');

interface Section {
  name: string;
  lines: string[];
}

function machine(): string[] {
  const cpus = os.cpus();
  return [
    `- CPU: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    `- Memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `- Node: ${process.version}`,
    `- Date: ${new Date().toISOString()}`,
  ];
}

function sshLines(f: SshBenchFigures): string[] {
  return [
    `ssh2 runs on ${f.crypto}.`,
    '',
    '| measurement | adapter | baseline | ratio |',
    '|---|---|---|---|',
    `| ${f.sequential.operations} sequential operations on one Agent | ${f.sequential.adapterMsPerOp} ms/op | raw ssh2 exec loop ${f.sequential.rawMsPerOp} ms/op | ${f.sequential.ratio}× |`,
    `| one operation on ${f.fanOut.agents} Agents vs 1 (connections included) | ${f.fanOut.sixteenAgentsMs} ms | 1 Agent ${f.fanOut.oneAgentMs} ms | ${f.fanOut.ratio}× |`,
    `| the same on open connections | ${f.fanOut.warmSixteenAgentsMs} ms | 1 Agent ${f.fanOut.warmOneAgentMs} ms | ${f.fanOut.warmRatio}× |`,
    `| \`true\` on ${f.fanOutPlainSshd.connections} connections of a plain sshd vs 1 | ${f.fanOutPlainSshd.sixteenMs} ms | 1 connection ${f.fanOutPlainSshd.oneMs} ms | ${f.fanOutPlainSshd.ratio}× |`,
    `| ${(f.streaming.bytes / 1048576).toFixed(0)} MB streamed into a log file | ${f.streaming.adapterMBps} MB/s, peak RSS ${f.streaming.adapterPeakRssMiB} MiB | raw ssh2 ${f.streaming.rawMBps} MB/s, peak RSS ${f.streaming.rawPeakRssMiB} MiB | ${f.streaming.ratio}× |`,
  ];
}

function activationLines(f: ActivationFigures): string[] {
  return [
    `Median of ${f.runs} fresh workbenches (code-server 4.139.1, the packaged .vsix).`,
    '',
    '| measurement | Backout | baseline | ratio |',
    '|---|---|---|---|',
    `| activation in the extension host | ${f.backoutMedianMs.toFixed(1)} ms | empty extension ${f.emptyMedianMs.toFixed(1)} ms | ${f.ratio.toFixed(1)}× |`,
    `| first Targets view load (loads client-node) | ${f.firstKubeUseMedianMs.toFixed(0)} ms | — | — |`,
    '',
    `client-node loaded at activation: **${f.kubeLoadedAtActivation ? 'yes' : 'no'}**; ssh2 loaded at activation: **${f.sshLoadedAtActivation ? 'yes' : 'no'}**. ` +
      `Size of backout.vsix: **${(f.vsixBytes / 1024).toFixed(0)} KiB**.`,
  ];
}

const BENCHES: Record<string, () => Promise<Section>> = {
  engine: async () => ({ name: 'Run engine (bench/engine)', lines: formatEngineBench((await runEngineBench()) as EngineBenchFigures).map((l) => `    ${l}`) }),
  ssh: async () => ({ name: 'SSH adapter (bench/ssh)', lines: sshLines(await runSshBench()) }),
  kube: async () => ({ name: 'Kubernetes adapter (bench/kube)', lines: formatKubeBench((await runKubeBench({ log: (l) => console.log(`  ${l}`) })) as KubeBenchFigures).map((l) => `    ${l}`) }),
  activation: async () => ({ name: 'Activation in a real VS Code (bench/activation)', lines: activationLines(await benchActivation(5)) }),
};

async function main(): Promise<void> {
  const wanted = (process.argv[2] ?? Object.keys(BENCHES).join(',')).split(',');
  const sections: Section[] = [];
  let failed = 0;
  for (const name of wanted) {
    const bench = BENCHES[name];
    if (!bench) throw new Error(`Unknown benchmark "${name}". Benchmarks: ${Object.keys(BENCHES).join(', ')}`);
    console.log(`[bench] ${name}…`);
    try {
      const s = await bench();
      sections.push(s);
      for (const l of s.lines) console.log(l);
    } catch (err) {
      failed++;
      sections.push({ name, lines: [`Failed: ${err instanceof Error ? err.message : String(err)}`] });
      console.error(err);
    }
  }
  const md = [
    '# Benchmarks',
    '',
    'Written by `npm run bench`. Every ratio compares Backout with a baseline measured again in the same run, on the same machine;',
    'absolute times drift between runs and machines, ratios much less. Figures from the notes in `shared/notes/performance.md` are the',
    'reference these baselines reproduce.',
    '',
    '## Machine',
    '',
    ...machine(),
    '',
    ...sections.flatMap((s) => [`## ${s.name}`, '', ...s.lines, '']),
  ].join('\n');
  fs.mkdirSync(path.join(repo, 'docs'), { recursive: true });
  fs.writeFileSync(path.join(repo, 'docs', 'benchmarks.md'), md);
  console.log(`[bench] wrote docs/benchmarks.md`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
