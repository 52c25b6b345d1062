// Finding every pod that mounts a PVC of a provisioner among 5,000 pods and 5,000 PVCs: the Kubernetes adapter
// against kubectl (`kubectl get pods,pvc,storageclasses -A -o json` and the same filtering), measured side by side
// in one run against the kube lab, printed as ratios. Three ways are timed, alternating their order:
//   adapter in-process  — what the extension pays (client-node loaded, a fresh client and connection pool);
//   adapter process     — a new node process (load, kubeconfig, lists), comparable with kubectl's process;
//   kubectl             — the process plus parsing its JSON and the same filtering in this process.
import { execFile } from 'child_process';
import { join } from 'path';
import { promisify } from 'util';
import { kubeClientFor, kubeconfigFiles, loadKubeconfig, volumeUsers, findVolumeUsers, PersistentVolumeClaim, Pod, StorageClass } from '../../src/adapters/kube/index';
import { KubeLab } from '../../lab/kube/lab';

const run = promisify(execFile);
const PROVISIONER = 'csi.storageos.com';

export interface KubeBenchOptions {
  /** Use this kubeconfig (a running lab with bulk data, e.g. `cli.js start --bulk 5000`) instead of starting one. */
  kubeconfig?: string;
  context?: string;
  pods?: number;
  repeats?: number;
  log?: (line: string) => void;
}

export interface KubeBenchFigures {
  pods: number;
  users: number;
  repeats: number;
  adapterInProcessMedianMs: number;
  adapterProcessMedianMs: number;
  kubectlMedianMs: number;
  /** adapter / kubectl: below 1 means the adapter is faster. */
  ratioInProcess: number;
  ratioProcess: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function keys(users: Array<{ namespace: string; pod: string; claim: string }>): string[] {
  return users.map((u) => `${u.namespace}/${u.pod}/${u.claim}`).sort();
}

async function adapterInProcess(kubeconfig: string, context: string): Promise<string[]> {
  const client = kubeClientFor(loadKubeconfig(kubeconfigFiles({ env: { KUBECONFIG: kubeconfig } })), context);
  try {
    return keys(await volumeUsers(client, PROVISIONER));
  } finally {
    client.close();
  }
}

async function adapterProcess(kubeconfig: string, context: string): Promise<string[]> {
  const { stdout } = await run(process.execPath, [join(__dirname, 'find-users.js'), kubeconfig, context, PROVISIONER], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as string[];
}

async function kubectl(kubeconfig: string, context: string): Promise<string[]> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, '--context', context, 'get', 'pods,pvc,storageclasses', '-A', '-o', 'json'], {
    maxBuffer: 256 << 20,
  });
  const items = (JSON.parse(stdout) as { items: Array<{ kind: string }> }).items;
  return keys(
    findVolumeUsers(
      PROVISIONER,
      items.filter((i) => i.kind === 'StorageClass') as StorageClass[],
      items.filter((i) => i.kind === 'PersistentVolumeClaim') as PersistentVolumeClaim[],
      items.filter((i) => i.kind === 'Pod') as Pod[],
    ),
  );
}

async function timed(fn: () => Promise<string[]>): Promise<{ ms: number; result: string[] }> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

export async function runKubeBench(options: KubeBenchOptions = {}): Promise<KubeBenchFigures> {
  const log = options.log ?? (() => undefined);
  const pods = options.pods ?? 5000;
  const repeats = options.repeats ?? 5;
  let lab: KubeLab | undefined;
  try {
    let kubeconfig = options.kubeconfig;
    const context = options.context ?? KubeLab.contexts.admin;
    if (!kubeconfig) {
      log('starting the kube lab and creating the bulk data...');
      lab = await KubeLab.start({ nodes: 3 });
      await lab.applyOndat('current');
      await lab.applyBulk({ pods, namespaces: 20, ondatEvery: 3 });
      kubeconfig = lab.kubeconfig;
    }
    const k = kubeconfig;
    const ways = {
      inProcess: () => adapterInProcess(k, context),
      process: () => adapterProcess(k, context),
      kubectl: () => kubectl(k, context),
    };
    // One warm-up round (apiserver caches, page cache), then the measured rounds in rotating order.
    const reference = (await ways.kubectl()).join('\n');
    await ways.inProcess();
    const samples: Record<keyof typeof ways, number[]> = { inProcess: [], process: [], kubectl: [] };
    const order: Array<keyof typeof ways> = ['inProcess', 'process', 'kubectl'];
    for (let i = 0; i < repeats; i++) {
      for (let j = 0; j < order.length; j++) {
        const way = order[(i + j) % order.length];
        const { ms, result } = await timed(ways[way]);
        if (result.join('\n') !== reference) throw new Error(`kube bench: ${way} found other pods than kubectl did`);
        samples[way].push(ms);
      }
      log(`round ${i + 1}/${repeats}: in-process ${samples.inProcess[i].toFixed(0)} ms, process ${samples.process[i].toFixed(0)} ms, kubectl ${samples.kubectl[i].toFixed(0)} ms`);
    }
    const figures: KubeBenchFigures = {
      pods,
      users: reference.split('\n').filter(Boolean).length,
      repeats,
      adapterInProcessMedianMs: median(samples.inProcess),
      adapterProcessMedianMs: median(samples.process),
      kubectlMedianMs: median(samples.kubectl),
      ratioInProcess: 0,
      ratioProcess: 0,
    };
    figures.ratioInProcess = figures.adapterInProcessMedianMs / figures.kubectlMedianMs;
    figures.ratioProcess = figures.adapterProcessMedianMs / figures.kubectlMedianMs;
    return figures;
  } finally {
    await lab?.stop();
  }
}

export function formatKubeBench(f: KubeBenchFigures): string[] {
  return [
    `kube: pods using ${PROVISIONER} volumes among ${f.pods} pods + ${f.pods} PVCs (${f.users} found), median of ${f.repeats}`,
    `  kubectl get pods,pvc,storageclasses -A -o json + filter: ${f.kubectlMedianMs.toFixed(0)} ms`,
    `  adapter, in-process (fresh client):                     ${f.adapterInProcessMedianMs.toFixed(0)} ms  ratio ${f.ratioInProcess.toFixed(2)}x`,
    `  adapter, whole node process:                            ${f.adapterProcessMedianMs.toFixed(0)} ms  ratio ${f.ratioProcess.toFixed(2)}x`,
  ];
}

if (require.main === module) {
  runKubeBench({ kubeconfig: process.env.BACKOUT_BENCH_KUBECONFIG, log: (l) => console.log(l) })
    .then((f) => {
      for (const line of formatKubeBench(f)) console.log(line);
    })
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    });
}
