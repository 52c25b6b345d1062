// The one test command (`npm test`): builds the bundles, compiles the project and its tests with tsc (type errors
// are reported by the "checks" tier rather than stopping the run), then runs every tier through
// out/test/harness/run-all.js. Arguments pass through: `npm test -- --tier unit,extension-host`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const node = process.execPath;
const step = (args, opts = {}) => spawnSync(node, args, { cwd: root, stdio: 'inherit', ...opts });

mkdirSync(join(root, 'test-results'), { recursive: true });
const build = step([join(root, 'scripts/build.mjs')]);
if (build.status !== 0) {
  console.log('build failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
// A fresh out/: tests whose sources were removed must not run from stale compiled files.
rmSync(join(root, 'out'), { recursive: true, force: true });
const tsc = step([join(root, 'node_modules/typescript/bin/tsc'), '-p', root]);
writeFileSync(join(root, 'test-results/tsc-status'), String(tsc.status));
const run = step([join(root, 'out/test/harness/run-all.js'), ...process.argv.slice(2)]);
process.exit(run.status ?? 1);
