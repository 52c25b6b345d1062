// The one test command's driver (npm test → scripts/test.mjs → here). Runs the checks and every tier — unit,
// integration (labs), extension host, UI — prints each tier's "N passed, N failed" and the totals, and fails when
// anything failed or a tier ran no test.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runExtensionHostTests } from './exthost';
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
    const child = spawn(command, args, { cwd: repo, stdio: 'inherit', env: { ...process.env, ...env } });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 128 : 1));
    });
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

async function main(): Promise<void> {
  fs.mkdirSync(results, { recursive: true });
  const requested = process.argv.slice(2).flatMap((a, i, all) => (a === '--tier' ? (all[i + 1] ?? '').split(',') : []));
  const names = requested.length > 0 ? requested : Object.keys(TIERS);
  for (const n of names) if (!TIERS[n]) throw new Error(`Unknown tier "${n}". Tiers: ${Object.keys(TIERS).join(', ')}`);
  const done: TierResult[] = [];
  for (const name of names) {
    log(`tier ${name}`);
    const r = await TIERS[name]();
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
