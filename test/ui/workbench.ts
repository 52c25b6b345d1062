// UI-tier fixture: the packaged extension (.vsix) installed into a fresh code-server, and Chromium showing its
// workbench, as a user gets it. Screenshots go to test-results/ui/.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { launchBrowser } from '../harness/browser';
import { startCodeServer, type CodeServer } from '../harness/code-server';

export const repoRoot = path.resolve(__dirname, '../../..');
export const fixtures = path.join(repoRoot, 'test', 'fixtures');
const shots = path.join(repoRoot, 'test-results', 'ui');

let vsix: string | undefined;

/** The .vsix under test: $BACKOUT_VSIX, else packaged once per run with `npm run package`. */
export function packagedVsix(): string {
  if (vsix) return vsix;
  if (process.env.BACKOUT_VSIX) return (vsix = process.env.BACKOUT_VSIX);
  const result = spawnSync('npm', ['run', 'package', '--silent'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`npm run package failed with ${result.status}`);
  vsix = path.join(repoRoot, 'backout.vsix');
  return vsix;
}

export interface Workbench {
  page: Page;
  server: CodeServer;
  workspace: string;
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface WorkbenchOptions {
  env?: Record<string, string>;
  userSettings?: Record<string, unknown>;
  /** Files to place in the workspace folder, relative path → content. */
  workspaceFiles?: Record<string, string>;
}

export async function openWorkbench(options: WorkbenchOptions = {}): Promise<Workbench> {
  const workspace = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'backout-ui-ws-'));
  for (const [rel, content] of Object.entries(options.workspaceFiles ?? {})) {
    fs.mkdirSync(path.dirname(path.join(workspace, rel)), { recursive: true });
    fs.writeFileSync(path.join(workspace, rel), content);
  }
  const server = await startCodeServer({
    workspace,
    smokeTestDriver: false,
    vsix: [packagedVsix()],
    env: options.env,
    userSettings: options.userSettings,
  });
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    fs.mkdirSync(shots, { recursive: true });
    const opened = browser;
    return {
      page,
      server,
      workspace,
      async shot(name: string) {
        const file = path.join(shots, `${name}.png`);
        await page.screenshot({ path: file });
        return file;
      },
      async close() {
        await opened.close().catch(() => undefined);
        await server.stop();
      },
    };
  } catch (err) {
    await browser?.close().catch(() => undefined);
    await server.stop();
    throw err;
  }
}

/** Runs a command from the palette by its title, as a user would (F1, type, Enter). */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** Opens the Backout view container from the activity bar. */
export async function openBackout(page: Page): Promise<void> {
  const item = page.locator('.activitybar .action-item a[aria-label^="Backout"]').first();
  await item.waitFor({ timeout: 60_000 });
  // Clicking the item of the view container that is already open would close the side bar.
  if (await page.locator('.pane-header', { hasText: 'Targets' }).first().isVisible()) return;
  await item.click();
  await page.locator('.pane-header', { hasText: 'Targets' }).first().waitFor();
}

/** The content of the active webview (the run panel): VS Code nests it in two iframes. */
export function webview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/**
 * Answers a multi-step input: the steps named in `answers` (by the last word of their title) get these values, every
 * other step its default (Enter); waits for each step to change, since the widget is reused between steps.
 * Returns how many steps were answered.
 */
export async function answerSteps(page: Page, answers: Record<string, string>, max = 40, review: Record<string, string> = {}, steps: string[] = []): Promise<number> {
  const widget = page.locator('.quick-input-widget');
  const title = widget.locator('.quick-input-title');
  await widget.waitFor({ timeout: 30_000 });
  let answered = 0;
  const changes = Object.entries(review);
  for (let i = 0; i < max; i++) {
    // A question whose choices are read from the target (versions, packages on the Agents) opens a few seconds later.
    if (!(await widget.isVisible()) && !(await widget.waitFor({ state: 'visible', timeout: 20_000 }).then(() => true, () => false))) break;
    const before = await title.innerText().catch(() => '');
    const step = /: (\w+)( \(\d+\/\d+\))?$/.exec(before)?.[1];
    if (step && steps[steps.length - 1] !== step) steps.push(step);
    if (step === 'review' && changes.length > 0) {
      // Change a value from the review: select its line, answer its question, and the review comes back.
      const [name, value] = changes.shift() as [string, string];
      await widget.locator('input').fill(name);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
      await page.keyboard.press('Enter');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: value }).first().waitFor({ timeout: 10_000 });
      await widget.locator('input').fill(value);
      await page.waitForTimeout(100);
      await page.keyboard.press('Enter');
      // The review comes back (a new list: its long rows are not all rendered, so wait for its first line).
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Start the rollback' }).first().waitFor({ timeout: 10_000 });
      continue;
    }
    const answer = step ? answers[step] : undefined;
    if (answer !== undefined) {
      await widget.locator('input').fill(answer);
      // A choice list filters as it is typed; Enter before the filter applies would take the first choice.
      await page.waitForTimeout(400);
    }
    await page.keyboard.press('Enter');
    answered++;
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && (await widget.isVisible()) && (await title.innerText().catch(() => '')) === before) await page.waitForTimeout(50);
  }
  return answered;
}
