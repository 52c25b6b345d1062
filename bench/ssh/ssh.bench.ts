// SSH adapter benchmark, measured side by side with raw ssh2 in the same run, both bundled by esbuild without
// ssh2's native bindings (pure-JS crypto, as in the extension):
//   1. 200 sequential operations through the adapter's pool vs a raw ssh2 exec loop on one connection (ratio);
//   2. one Agent operation fanned out to 16 Agents vs the same on 1 Agent (ratio of wall times);
//   3. 50 MB of streamed output through the adapter into a log file vs raw ssh2 piped to a file (throughput ratio,
//      peak memory).
// Runs against the Agent lab (real sshd on loopback; root). `node out/bench/ssh/ssh.bench.js` prints the figures.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client as Ssh2Client } from 'ssh2';
import { AgentLab, startLab } from '../../lab/agent/lab';
import type { PickRequest, Prompter } from '../../src/core/ports';
import type { AgentEndpoint } from '../../src/adapters/ssh/endpoint';

type Adapter = typeof import('../../src/adapters/ssh/index');
type Ssh2 = typeof import('ssh2');

export interface SshBenchFigures {
  crypto: 'pure-js (esbuild bundle without native bindings)';
  /** ratio = adapter time / raw time per operation (below 1: the adapter is faster). */
  sequential: { operations: number; adapterMsPerOp: number; rawMsPerOp: number; ratio: number };
  /** ratio = wall time on 16 Agents / wall time on 1, connection setup included (pure-JS key exchange, 16 in one
   * process); warm* = on connections already open. */
  fanOut: { agents: number; oneAgentMs: number; sixteenAgentsMs: number; ratio: number; warmOneAgentMs: number; warmSixteenAgentsMs: number; warmRatio: number };
  /** The same with `true` on one plain sshd over 16 connections: the client's share, comparable to notes/performance.md. */
  fanOutPlainSshd: { connections: number; oneMs: number; sixteenMs: number; ratio: number };
  /** ratio = adapter throughput / raw throughput (above 1: the adapter is faster). */
  streaming: { bytes: number; adapterMBps: number; rawMBps: number; ratio: number; adapterPeakRssMiB: number; rawPeakRssMiB: number; baselineRssMiB: number };
}

const ROOT = path.join(__dirname, '..', '..', '..');
const STREAM_BYTES = 50 * 1024 * 1024;
const STREAM_COMMAND = `head -c ${STREAM_BYTES / 100 * 99} /dev/zero | tr '\\0' x | fold -w 99`;

const prompter: Prompter = {
  confirm: async () => false,
  typeToConfirm: async () => false,
  askSecret: async () => undefined,
  pick: async <T extends string>(_q: PickRequest<T>) => undefined,
};

async function bundle(dir: string): Promise<{ adapter: Adapter; ssh2: Ssh2 }> {
  const common = { bundle: true, platform: 'node' as const, format: 'cjs' as const, target: 'node18', external: ['cpu-features', '*.node'], logLevel: 'silent' as const };
  await esbuild.build({ ...common, entryPoints: [path.join(ROOT, 'src', 'adapters', 'ssh', 'index.ts')], outfile: path.join(dir, 'ssh.js') });
  await esbuild.build({ ...common, stdin: { contents: "module.exports = require('ssh2');", resolveDir: ROOT, loader: 'js' }, outfile: path.join(dir, 'ssh2.js') });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return { adapter: require(path.join(dir, 'ssh.js')) as Adapter, ssh2: require(path.join(dir, 'ssh2.js')) as Ssh2 };
}

function rawConnect(ssh2: Ssh2, host: string, port: number, username: string, key: Buffer): Promise<Ssh2Client> {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.on('ready', () => resolve(c)).on('error', reject);
    c.connect({ host, port, username, privateKey: key, hostVerifier: () => true });
    c.setNoDelay(true);
  });
}

/** The plain ssh2 loop: exec, stdout piped (with backpressure) into `out` or drained, resolve on close. */
function rawExec(c: Ssh2Client, command: string, out?: fs.WriteStream): Promise<number> {
  return new Promise((resolve, reject) => {
    c.exec(command, (err, stream) => {
      if (err) return reject(err);
      let code = -1;
      stream.on('exit', (c2: number) => (code = c2));
      if (out === undefined) stream.resume();
      else stream.pipe(out, { end: false });
      stream.stderr.resume();
      stream.on('close', () => resolve(code));
    });
  });
}

async function peakRss<T>(fn: () => Promise<T>): Promise<{ value: T; peak: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    const value = await fn();
    return { value, peak: Math.max(peak, process.memoryUsage().rss) };
  } finally {
    clearInterval(timer);
  }
}

const MiB = (b: number): number => Math.round((b / 1048576) * 10) / 10;
const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d;

export async function runSshBench(): Promise<SshBenchFigures> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-ssh-bench-'));
  let lab: AgentLab | undefined;
  try {
    const { adapter, ssh2 } = await bundle(work);
    lab = await startLab({ agents: Array.from({ length: 16 }, (_, i) => ({ name: `bench-${String(i + 1).padStart(2, '0')}`, version: '10.3.9' })), jumpHost: true });
    const jump = lab.jumpHost;
    if (jump === undefined) throw new Error('the lab did not start its plain sshd');
    const known = path.join(work, 'known_hosts');
    fs.writeFileSync(known, lab.knownHostsLines().join('\n') + '\n');
    const key = fs.readFileSync(lab.clientKeyPath);
    const newPool = () =>
      new adapter.SshPool({ hostKeys: new adapter.HostKeyVerifier({ userKnownHostsFiles: [known], backoutKnownHostsFile: path.join(work, 'bk'), prompter }), prompter, agent: null, defaultIdentityFiles: [], promptForPassword: false });
    const plain: AgentEndpoint = { name: 'plain', host: '127.0.0.1', port: jump.port, user: jump.user, identityFiles: [lab.clientKeyPath], identitiesOnly: true, jumps: [] };

    // 1. Sequential operations on a plain shell (`true`), so that the difference is the client's.
    const ops = 200;
    const pool = newPool();
    await pool.exec(plain, 'true');
    let t = performance.now();
    for (let i = 0; i < ops; i++) await pool.exec(plain, 'true');
    const adapterMs = (performance.now() - t) / ops;
    const raw = await rawConnect(ssh2, '127.0.0.1', jump.port, jump.user, key);
    await rawExec(raw, 'true');
    t = performance.now();
    for (let i = 0; i < ops; i++) await rawExec(raw, 'true');
    const rawMs = (performance.now() - t) / ops;

    // 3. 50 MB of output: adapter into a log file through FileLineSink, raw ssh2 piped into a file.
    const baseline = process.memoryUsage().rss;
    const logA = path.join(work, 'adapter.log');
    const sink = new adapter.FileLineSink(logA);
    t = performance.now();
    const a = await peakRss(() => pool.exec(plain, STREAM_COMMAND, { sink, captureBytes: 0 }));
    sink.close();
    const adapterSec = (performance.now() - t) / 1000;
    const bytesA = fs.statSync(logA).size;
    const logR = path.join(work, 'raw.log');
    const out = fs.createWriteStream(logR);
    t = performance.now();
    const r = await peakRss(async () => {
      const code = await rawExec(raw, STREAM_COMMAND, out);
      await new Promise<void>((res) => out.end(res));
      return code;
    });
    const rawSec = (performance.now() - t) / 1000;
    const bytesR = fs.statSync(logR).size;
    raw.end();
    await pool.close();
    // The log ends every line with a newline; the raw copy keeps the missing one at the very end.
    if (a.value.exitCode !== 0 || r.value !== 0 || Math.abs(bytesA - bytesR) > 1) throw new Error(`streaming runs disagree: ${bytesA} vs ${bytesR} bytes`);

    // 2. One Agent operation (through the emulator) on 1 Agent, then on 16 at once; fresh pools, connection setup
    // included; median of 3. The emulator is a Node process per command, so on few cores this is CPU-bound by it; the
    // same fan-out with `true` on a plain sshd (16 separate connections) isolates the client.
    const endpoints: AgentEndpoint[] = lab.agents.map((g) => ({ name: g.name, host: g.host, port: g.port, user: g.user, identityFiles: [lab!.clientKeyPath], identitiesOnly: true, jumps: [] }));
    const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
    const timed = async (targets: AgentEndpoint[], command: string, warm = false): Promise<number> => {
      const pools = targets.map(() => newPool());
      if (warm) await Promise.all(targets.map((e, i) => pools[i]!.exec(e, command)));
      const start = performance.now();
      await Promise.all(targets.map((e, i) => pools[i]!.exec(e, command)));
      const ms = performance.now() - start;
      await Promise.all(pools.map((p) => p.close()));
      return ms;
    };
    const op = 'echo %OS%';
    await timed([endpoints[0]!], op);
    const oneMs = median([await timed([endpoints[0]!], op), await timed([endpoints[0]!], op), await timed([endpoints[0]!], op)]);
    const manyMs = median([await timed(endpoints, op), await timed(endpoints, op), await timed(endpoints, op)]);
    const plainMany = Array.from({ length: 16 }, () => plain);
    const warmOneMs = median([await timed([endpoints[0]!], op, true), await timed([endpoints[0]!], op, true), await timed([endpoints[0]!], op, true)]);
    const warmManyMs = median([await timed(endpoints, op, true), await timed(endpoints, op, true), await timed(endpoints, op, true)]);
    const plainOneMs = median([await timed([plain], 'true'), await timed([plain], 'true'), await timed([plain], 'true')]);
    const plainManyMs = median([await timed(plainMany, 'true'), await timed(plainMany, 'true'), await timed(plainMany, 'true')]);

    return {
      crypto: 'pure-js (esbuild bundle without native bindings)',
      sequential: { operations: ops, adapterMsPerOp: round(adapterMs), rawMsPerOp: round(rawMs), ratio: round(adapterMs / rawMs) },
      fanOut: {
        agents: endpoints.length,
        oneAgentMs: round(oneMs, 0),
        sixteenAgentsMs: round(manyMs, 0),
        ratio: round(manyMs / oneMs),
        warmOneAgentMs: round(warmOneMs, 0),
        warmSixteenAgentsMs: round(warmManyMs, 0),
        warmRatio: round(warmManyMs / warmOneMs),
      },
      fanOutPlainSshd: { connections: 16, oneMs: round(plainOneMs, 0), sixteenMs: round(plainManyMs, 0), ratio: round(plainManyMs / plainOneMs) },
      streaming: {
        bytes: bytesA,
        adapterMBps: round(bytesA / 1048576 / adapterSec, 1),
        rawMBps: round(bytesR / 1048576 / rawSec, 1),
        ratio: round(bytesA / adapterSec / (bytesR / rawSec)),
        adapterPeakRssMiB: MiB(a.peak),
        rawPeakRssMiB: MiB(r.peak),
        baselineRssMiB: MiB(baseline),
      },
    };
  } finally {
    await lab?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runSshBench().then(
    (f) => console.log(JSON.stringify(f, null, 2)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
