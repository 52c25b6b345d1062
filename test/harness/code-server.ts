// Starts a real VS Code (code-server) for the extension-host and UI tiers, always with its own user-data,
// extensions, HOME and XDG folders, so that nothing of the user's own VS Code or home is read or written.
import type { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { ensureCodeServer, type CodeServerInstall } from './cache';
import { run, spawnGroup, stopGroup } from './processes';

export interface CodeServerOptions {
  /** Folder opened as the workspace. */
  workspace: string;
  /** Honour `payload=` test URLs (extension-host tier). */
  smokeTestDriver: boolean;
  /** VSIX files installed before start (the UI tier tests the shipped artifact). */
  vsix?: string[];
  /** User settings written to the fresh user-data folder. */
  userSettings?: Record<string, unknown>;
  /** Extra environment for the server and its extension host (e.g. KUBECONFIG). */
  env?: Record<string, string>;
  /** Where its folders and log go; a fresh temp folder when omitted. */
  scratch?: string;
  /** Port on 127.0.0.1 (the sandbox's --port); a free one when omitted. */
  port?: number;
  log?: (s: string) => void;
}

export interface CodeServer {
  url: string;
  port: number;
  scratch: string;
  logFile: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`code-server exited with ${child.exitCode} before answering; see ${logFile}:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs} ms; see ${logFile}:\n${tail(logFile)}`);
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

function isolatedEnv(scratch: string, extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const home = path.join(scratch, 'home');
  for (const d of ['home', 'home/.config', 'home/.local/share', 'home/.cache']) fs.mkdirSync(path.join(scratch, d), { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local/share'), XDG_CACHE_HOME: path.join(home, '.cache') };
  // The user's own kubeconfig and ssh-agent must not leak into tests unless a test sets them on purpose.
  delete env.KUBECONFIG;
  delete env.SSH_AUTH_SOCK;
  delete env.VSCODE_IPC_HOOK_CLI;
  // The server gives its extension host the environment of a login shell (its "resolved shell environment"), whose
  // /etc/profile resets PATH: a PATH the caller sets (a tool stand-in, say) must come back in the isolated home's profile.
  if (extra?.PATH !== undefined) {
    const quoted = `'${extra.PATH.replace(/'/g, `'\\''`)}'`;
    fs.writeFileSync(path.join(home, '.profile'), `# Written by the Backout test harness: the PATH this VS Code was started with.\nPATH=${quoted}\nexport PATH\n`);
  }
  return { ...env, ...extra };
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const log = options.log ?? (() => undefined);
  const install: CodeServerInstall = await ensureCodeServer(log);
  const scratch = options.scratch ?? fs.mkdtempSync(path.join(os.tmpdir(), 'backout-vscode-'));
  const userData = path.join(scratch, 'user-data');
  const extensions = path.join(scratch, 'extensions');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(extensions, { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'security.workspace.trust.enabled': false,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    ...options.userSettings,
  };
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  // code-server's extension host reads machine-scoped settings (Backout's paths) from Machine/settings.json only.
  fs.mkdirSync(path.join(userData, 'Machine'), { recursive: true });
  fs.writeFileSync(path.join(userData, 'Machine', 'settings.json'), JSON.stringify(options.userSettings ?? {}, null, 2));
  const env = isolatedEnv(scratch, options.env);
  const common = ['--user-data-dir', userData, '--extensions-dir', extensions];
  for (const vsix of options.vsix ?? []) {
    log(`Installing ${path.basename(vsix)} into the test VS Code…`);
    await run(install.node, [install.entry, ...common, '--install-extension', vsix], { env, stdio: 'ignore' });
  }
  const port = options.port ?? (await freePort());
  const configFile = path.join(scratch, 'code-server.yaml');
  fs.writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const args = [
    install.entry,
    ...common,
    '--config', configFile,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    ...(options.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    options.workspace,
  ];
  const logFile = path.join(scratch, 'code-server.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawnGroup(install.node, args, { env, stdio: ['ignore', out, out], cwd: scratch });
  fs.closeSync(out);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(url, child, logFile, 60_000);
  } catch (err) {
    await stopGroup(child);
    throw err;
  }
  log(`code-server ${url} (log ${logFile})`);
  return { url, port, scratch, logFile, stop: () => stopGroup(child) };
}
