// The one test command's driver (npm test → scripts/test.mjs → here). Runs the checks and every tier — unit,
// integration (labs), extension host, UI — prints each tier's "N passed, N failed" and the totals, and fails when
// anything failed or a tier ran no test.
//
// Each tier runs in a child process of its own (`--inner <tier>`), in its own process group, with a time limit and a
// marker in its environment: a tier that hangs is stopped and counted as failed, and whatever it left running is named
// and killed, so the test command always ends with its totals line (CI gives the whole run 90 minutes). With
// BACKOUT_TEST_DEADLINE (epoch seconds, set by .ci/run) no tier runs past it.
import { spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runExtensionHostTests } from './exthost';
import { MARKER_VARIABLE, sweepMarked } from './leftovers';
import { findTests } from './mocha-files';
import type { TierCounts } from './tier';

const repo = path.resolve(__dirname, '../../..');
const out = path.join(repo, 'out');
const results = path.join(repo, 'test-results');
const mochaBin = require.resolve('mocha/bin/mocha.js');

interface TierResult {
  name: string;
  passed: number;
  failed: number;
  seconds: number;
  note?: string;
}

const log = (s: string) => console.log(`[test] ${s}`);

function exec(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve) => {
    // It shares the tier's process group, which the supervisor signals as a whole (Ctrl-C, time limit).
    const child = spawn(command, args, { cwd: repo, stdio: 'inherit', env: { ...process.env, ...env } });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function mochaTier(name: string, files: string[], extraArgs: string[], env: NodeJS.ProcessEnv = {}): Promise<TierResult> {
  const started = Date.now();
  // --exit: a tier ends when its tests have ended. A helper process a lab failed to stop (it keeps a pipe to mocha
  // open) must not hold the whole test command, and with it CI, until its time runs out; the labs' own stop and the
  // harness's process groups still clean up, and a leak shows in the tests of the lab that leaks.
  extraArgs = ['--exit', ...extraArgs];
  const resultsFile = path.join(results, `${name}.json`);
  fs.rmSync(resultsFile, { force: true });
  if (files.length === 0) return { name, passed: 0, failed: 0, seconds: 0, note: 'no test files' };
  const code = await exec(process.execPath, [mochaBin, '--reporter', path.join(out, 'test/harness/reporter.js'), ...extraArgs, ...files], {
    BACKOUT_TIER: name,
    BACKOUT_RESULTS_FILE: resultsFile,
    ...env,
  });
  const seconds = (Date.now() - started) / 1000;
  if (!fs.existsSync(resultsFile)) return { name, passed: 0, failed: 1, seconds, note: `mocha exited with ${code} before reporting` };
  const counts = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as TierCounts;
  const failed = counts.failed + (code !== 0 && counts.failed === 0 ? 1 : 0);
  return { name, passed: counts.passed, failed, seconds, note: code !== 0 && counts.failed === 0 ? `mocha exited with ${code}` : undefined };
}

async function checksTier(): Promise<TierResult> {
  const started = Date.now();
  let passed = 0;
  let failed = 0;
  const check = async (label: string, command: string, args: string[]) => {
    log(`check: ${label}`);
    const code = await exec(command, args);
    if (code === 0) passed++;
    else {
      failed++;
      console.log(`check failed: ${label}`);
    }
  };
  // scripts/test.mjs compiled the project with tsc and left its exit status here.
  const tscStatus = path.join(results, 'tsc-status');
  const status = fs.existsSync(tscStatus) ? fs.readFileSync(tscStatus, 'utf8').trim() : 'missing';
  if (status === '0') passed++;
  else {
    failed++;
    console.log(`check failed: type-check (tsc -p .) exited with ${status}`);
  }
  if (fs.existsSync(path.join(repo, 'webview', 'main.ts'))) await check('type-check webview', process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'webview']);
  await check('eslint', process.execPath, [path.join(repo, 'node_modules/eslint/bin/eslint.js'), '.']);
  return { name: 'checks', passed, failed, seconds: (Date.now() - started) / 1000 };
}

async function extensionHostTier(): Promise<TierResult> {
  const started = Date.now();
  const workspace = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'backout-ws-'));
  const kube = path.join(repo, 'test/fixtures/kubeconfig');
  try {
    const r = await runExtensionHostTests({
      repo,
      testsEntry: path.join(out, 'test/extension/index.js'),
      workspace,
      env: { KUBECONFIG: `${path.join(kube, 'team.yaml')}:${path.join(kube, 'prod.yaml')}` },
      resultsDir: path.join(results, 'extension-host'),
      log,
    });
    const failed = r.failed + (r.exitCode !== 0 && r.failed === 0 ? 1 : 0);
    return { name: 'extension-host', passed: r.passed, failed, seconds: (Date.now() - started) / 1000 };
  } catch (err) {
    console.error(err);
    return { name: 'extension-host', passed: 0, failed: 1, seconds: (Date.now() - started) / 1000, note: String(err) };
  }
}

const TIERS: Record<string, () => Promise<TierResult>> = {
  checks: checksTier,
  unit: () => mochaTier('unit', findTests(path.join(out, 'test/unit')), ['--timeout', '20000']),
  integration: async () => {
    // The Kubernetes lab's binaries are built from Debian's source once (6–8 min) and cached outside the repo; build
    // them before the tier so that no test spends its timeout on it.
    const build = path.join(out, 'lab/kube/cli.js');
    if (fs.existsSync(build)) {
      log('kube lab: build or reuse the cached control-plane binaries');
      const code = await exec(process.execPath, [build, 'build']);
      if (code !== 0) return { name: 'integration', passed: 0, failed: 1, seconds: 0, note: `kube lab build failed (exit ${code})` };
    }
    return mochaTier('integration', findTests(path.join(out, 'test/integration')), [
      '--timeout', '180000',
      '--require', path.join(out, 'test/integration/global.js'),
    ]);
  },
  'extension-host': extensionHostTier,
  ui: () => mochaTier('ui', findTests(path.join(out, 'test/ui')), ['--timeout', '300000']),
};

/** How long a tier may run before it is taken as hung (cold measurements on the 2-core machine are 3–5× below). */
const TIER_LIMIT_MINUTES: Record<string, number> = { checks: 15, unit: 20, integration: 55, 'extension-host': 20, ui: 30 };

const tierResultFile = (name: string) => path.join(results, `tier-${name}.json`);

/** Runs one tier in this process and leaves its result for the parent (`--inner <tier>`). */
async function inner(name: string): Promise<void> {
  const r = await TIERS[name]();
  fs.writeFileSync(tierResultFile(name), JSON.stringify(r));
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined || pid <= 1) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone.
  }
}

/** Runs a tier as a child process group with a time limit; stops it and what it left behind when it ends or hangs. */
async function supervised(name: string, limitSeconds: number): Promise<TierResult> {
  const started = Date.now();
  const marker = randomBytes(8).toString('hex');
  fs.rmSync(tierResultFile(name), { force: true });
  const child = spawn(process.execPath, [__filename, '--inner', name], {
    cwd: repo,
    stdio: 'inherit',
    detached: true,
    env: { ...process.env, [MARKER_VARIABLE]: marker },
  });
  const forward = (signal: NodeJS.Signals) => signalGroup(child.pid, signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  let timedOut = false;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const timer = setTimeout(() => {
    timedOut = true;
    log(`tier ${name} did not finish within ${(limitSeconds / 60).toFixed(1)} min: stopping it`);
    signalGroup(child.pid, 'SIGTERM');
    setTimeout(() => signalGroup(child.pid, 'SIGKILL'), 10_000).unref();
  }, limitSeconds * 1000);
  const code = await exited;
  clearTimeout(timer);
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  signalGroup(child.pid, 'SIGKILL');
  const left = await sweepMarked(marker);
  if (left.length > 0) {
    log(`tier ${name} left ${left.length} process(es) running; killed them:`);
    for (const p of left) log(`  ${p.pid} ${p.command}`);
  }
  const seconds = (Date.now() - started) / 1000;
  const file = tierResultFile(name);
  if (timedOut) {
    const partial = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as TierResult) : undefined;
    return { name, passed: partial?.passed ?? 0, failed: (partial?.failed ?? 0) + 1, seconds, note: `stopped after ${(limitSeconds / 60).toFixed(1)} min (hung or out of time)` };
  }
  if (!fs.existsSync(file)) return { name, passed: 0, failed: 1, seconds, note: `the tier's process exited with ${code} before reporting` };
  return { ...(JSON.parse(fs.readFileSync(file, 'utf8')) as TierResult), seconds };
}

async function main(): Promise<void> {
  fs.mkdirSync(results, { recursive: true });
  const args = process.argv.slice(2);
  if (args[0] === '--inner') return inner(args[1]);
  const requested = args.flatMap((a, i, all) => (a === '--tier' ? (all[i + 1] ?? '').split(',') : []));
  const names = requested.length > 0 ? requested : Object.keys(TIERS);
  for (const n of names) if (!TIERS[n]) throw new Error(`Unknown tier "${n}". Tiers: ${Object.keys(TIERS).join(', ')}`);
  const deadline = Number(process.env.BACKOUT_TEST_DEADLINE ?? 0);
  const done: TierResult[] = [];
  for (const name of names) {
    const left = deadline > 0 ? deadline - Date.now() / 1000 : Infinity;
    const limit = Math.min(TIER_LIMIT_MINUTES[name] * 60, left);
    if (left < 60) {
      log(`tier ${name} not run: the test command's deadline (BACKOUT_TEST_DEADLINE) has passed`);
      done.push({ name, passed: 0, failed: 1, seconds: 0, note: 'not run: out of time' });
      continue;
    }
    log(`tier ${name}`);
    const r = await supervised(name, limit);
    if (r.passed + r.failed === 0) {
      r.failed = 1;
      r.note = r.note ?? 'ran no test';
    }
    done.push(r);
  }
  console.log('');
  for (const r of done) console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed (${r.seconds.toFixed(1)} s)${r.note ? ` — ${r.note}` : ''}`);
  const passed = done.reduce((a, r) => a + r.passed, 0);
  const failed = done.reduce((a, r) => a + r.failed, 0);
  fs.writeFileSync(path.join(results, 'summary.json'), JSON.stringify(done, null, 2));
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((err) => {
  console.error(err);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
});
