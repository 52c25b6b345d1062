// Tier 2: mocha inside a real VS Code extension host. code-server runs with the smoke-test driver, the browser opens
// the workbench with a `payload` naming the extension under development and the test module (the way
// @vscode/test-web drives a workbench), and the run's output and exit code come back through two functions the page
// exposes.
import * as fs from 'fs';
import * as path from 'path';
import { format } from 'util';
import { launchBrowser } from './browser';
import { startCodeServer } from './code-server';

const WORKBENCH_NOISE = /ENOTFOUND|^\[(AgentHost|ChatModelSelection|AccountPolicyGate)\]|^\s+at .*workbench\.js/;

export interface ExtHostRunOptions {
  repo: string;
  /** Compiled test entry exporting run(). */
  testsEntry: string;
  /** VSIX files installed besides the extension under development. */
  vsix?: string[];
  /** Echo the extension host's output to this process's console (default true). */
  echo?: boolean;
  workspace: string;
  env?: Record<string, string>;
  userSettings?: Record<string, unknown>;
  timeoutMs?: number;
  resultsDir: string;
  log: (s: string) => void;
}

export interface ExtHostResult {
  exitCode: number;
  passed: number;
  failed: number;
  /** Everything the workbench and the extension host logged. */
  transcript: string[];
}

export async function runExtensionHostTests(options: ExtHostRunOptions): Promise<ExtHostResult> {
  fs.mkdirSync(options.resultsDir, { recursive: true });
  const server = await startCodeServer({
    workspace: options.workspace,
    smokeTestDriver: true,
    vsix: options.vsix,
    env: options.env,
    userSettings: options.userSettings,
    log: options.log,
  });
  const browser = await launchBrowser();
  const transcript: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let resolveExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (resolveExit = resolve));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      const line = format(...(Array.isArray(args) ? args : [args]));
      transcript.push(line);
      // The workbench logs its own failed lookups of marketplace and account hosts (no network here); those stay in
      // the transcript file, the console shows the tests.
      if (WORKBENCH_NOISE.test(line) || options.echo === false) return;
      if (type === 'error') process.stderr.write(`${line}\n`);
      else process.stdout.write(`${line}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://remote${options.repo}`],
      ['extensionTestsPath', `vscode-remote://remote${options.testsEntry}`],
    ];
    const url = `${server.url}/?folder=${encodeURIComponent(options.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url);
    const timeoutMs = options.timeoutMs ?? 5 * 60_000;
    const exitCode = await Promise.race([
      exited,
      new Promise<number>((_, reject) =>
        setTimeout(() => reject(new Error(`extension-host tests did not finish within ${timeoutMs} ms`)), timeoutMs).unref(),
      ),
    ]);
    await page.screenshot({ path: path.join(options.resultsDir, 'extension-host-final.png') }).catch(() => undefined);
    const summary = [...transcript].reverse().map((l) => /(\d+) passed, (\d+) failed/.exec(l)).find(Boolean);
    return { exitCode, passed: summary ? Number(summary[1]) : 0, failed: summary ? Number(summary[2]) : exitCode === 0 ? 0 : 1, transcript };
  } finally {
    fs.writeFileSync(path.join(options.resultsDir, 'extension-host.log'), transcript.join('\n'));
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}
