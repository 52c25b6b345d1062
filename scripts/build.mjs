// Bundles the extension host code (node, cjs), the CLI and the run panel's browser code into dist/.
// The Kubernetes and SSH adapters become their own files so that activation never parses client-node or ssh2:
// src/adapters/lazy.ts imports them dynamically and this build keeps those imports as runtime requires.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, rmSync, cpSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Keeps `import('./kube/index')` and `import('./ssh/index')` in lazy.ts as requires of dist/kube.js and dist/ssh.js. */
const lazyAdapters = {
  name: 'lazy-adapters',
  setup(build) {
    build.onResolve({ filter: /^\.\/(kube|ssh)\/index$/ }, (args) => {
      if (!/[\\/]adapters[\\/]lazy\.ts$/.test(args.importer)) return undefined;
      const name = args.path.includes('kube') ? 'kube' : 'ssh';
      return { path: `./${name}.js`, external: true };
    });
  },
};

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  // ssh2's optional native bindings cannot be bundled; without them ssh2 uses its pure-JS crypto,
  // which is also what VS Code's Electron would run.
  external: ['vscode', 'cpu-features', '*.node'],
  plugins: [lazyAdapters],
};

const builds = [
  { ...node, entryPoints: { extension: join(root, 'src/extension.ts') }, outdir: join(root, 'dist') },
  { ...node, entryPoints: { kube: join(root, 'src/adapters/kube/index.ts') }, outdir: join(root, 'dist') },
  { ...node, entryPoints: { ssh: join(root, 'src/adapters/ssh/index.ts') }, outdir: join(root, 'dist') },
  // The DataMiner package tool: the fix step runs it as a command line, the hosts load it for inspection.
  { ...node, entryPoints: { 'dmupgrade-package': join(root, 'src/adapters/local/dmupgrade-package.ts') }, outdir: join(root, 'dist') },
  {
    ...node,
    entryPoints: { cli: join(root, 'src/cli/main.ts') },
    outdir: join(root, 'dist'),
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'warning',
    entryPoints: { webview: join(root, 'webview/main.ts') },
    outdir: join(root, 'dist'),
  },
].filter((b) => Object.values(b.entryPoints).every((p) => existsSync(p)));

function copyAssets() {
  const codicons = join(root, 'node_modules/@vscode/codicons/dist');
  copyFileSync(join(codicons, 'codicon.css'), join(root, 'dist/codicon.css'));
  copyFileSync(join(codicons, 'codicon.ttf'), join(root, 'dist/codicon.ttf'));
  if (existsSync(join(root, 'src/procedures/ondat/templates'))) {
    cpSync(join(root, 'src/procedures/ondat/templates'), join(root, 'dist/templates'), { recursive: true });
  }
}

rmSync(join(root, 'dist'), { recursive: true, force: true });
mkdirSync(join(root, 'dist'), { recursive: true });
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  copyAssets();
  console.log('esbuild: watching');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  copyAssets();
}
