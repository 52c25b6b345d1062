import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { fixtures, openBackout, openWorkbench, repoRoot, runCommand, webview, type Workbench } from './workbench';

const modulePath = path.join(repoRoot, 'out', 'test', 'fixtures', 'procedures', 'local-steps.js');

/** Waits until the multi-step input shows the step whose title ends with `step` (the widget is reused between steps). */
async function atStep(page: Page, step: string): Promise<void> {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: new RegExp(`: ${step}( \\(\\d+/\\d+\\))?$`) }).waitFor({ timeout: 30_000 });
}

async function pick(page: Page, step: string, text: string): Promise<void> {
  await atStep(page, step);
  const input = page.locator('.quick-input-widget input');
  await input.fill(text);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().waitFor();
  await page.keyboard.press('Enter');
}

async function type(page: Page, step: string, value: string | undefined): Promise<void> {
  await atStep(page, step);
  const input = page.locator('.quick-input-widget input');
  if (value !== undefined) await input.fill(value);
  await page.keyboard.press('Enter');
}

describe('UI: a rollback run in the run panel', () => {
  let wb: Workbench;
  let marker: string;

  before(async () => {
    const work = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'backout-ui-run-'));
    marker = path.join(work, 'marker.txt');
    wb = await openWorkbench({
      env: {
        BACKOUT_PROCEDURE_MODULES: modulePath,
        BACKOUT_RUNS_DIR: path.join(work, 'runs'),
        KUBECONFIG: path.join(fixtures, 'kubeconfig', 'team.yaml'),
      },
    });
  });

  after(async () => {
    await wb?.close();
  });

  it('starts a run through the multi-step Start Rollback input', async () => {
    const { page } = wb;
    await openBackout(page);
    await runCommand(page, 'Backout: Start Rollback…');
    await pick(page, 'procedure', 'Test: local steps');
    await pick(page, 'Kubernetes context', 'staging');
    await type(page, 'marker', marker);
    await type(page, 'instances', 'agent-a,agent-b');
    await type(page, 'sleepSeconds', '0');
    await pick(page, 'production', 'false');
    // One review of every value; Enter starts.
    await atStep(page, 'review');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'marker' }).first().waitFor();
    await wb.shot('start-rollback-review');
    await pick(page, 'review', 'Start the rollback');
    await webview(page).locator('h1', { hasText: 'Test: local steps' }).waitFor({ timeout: 60_000 });
  });

  it('shows the gate naming the target, and nothing destructive has run', async () => {
    const frame = webview(wb.page);
    const gate = frame.locator('section.gate');
    await gate.waitFor({ timeout: 30_000 });
    assert.match(await gate.innerText(), /Apply the change/);
    assert.match(await gate.innerText(), /test target staging/);
    assert.strictEqual(fs.existsSync(marker), false);
    // Attention without covering the gate: the Backout icon's badge counts the run waiting, the status bar says so, and
    // no notification stays up for the whole run.
    await wb.page.locator('.statusbar-item', { hasText: 'waits for you' }).first().waitFor({ timeout: 30_000 });
    await wb.shot('run-panel-gate');
    // VS Code shows a tree view's badge on its container in the activity bar (and on the view's header in some layouts).
    const activityBadge = wb.page.locator('.activitybar .badge-content', { hasText: /^1$/ }).first();
    const headerBadge = wb.page.locator('.pane-header .monaco-count-badge', { hasText: /^1$/ }).first();
    await Promise.any([activityBadge.waitFor({ timeout: 30_000 }), headerBadge.waitFor({ timeout: 30_000 })]);
    assert.strictEqual(await wb.page.locator('.notification-toast', { hasText: 'Backout: Test: local steps on staging' }).count(), 0, 'no whole-run notification');
  });

  it('runs the destructive step once per instance after each confirmation in the panel', async () => {
    const frame = webview(wb.page);
    const succeeded = frame.locator('vscode-badge.status-succeeded');
    const confirm = frame.locator('section.gate vscode-button.gate-confirm');
    let clicks = 0;
    const deadline = Date.now() + 60_000;
    while (!(await succeeded.isVisible())) {
      assert.ok(Date.now() < deadline, 'the run finishes once its gates are confirmed');
      if (await confirm.isVisible()) {
        await confirm.click();
        clicks++;
        await frame.locator('section.gate').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
      } else {
        await wb.page.waitForTimeout(100);
      }
    }
    assert.ok(clicks >= 1, 'at least one gate was confirmed in the panel');
    assert.deepStrictEqual(fs.readFileSync(marker, 'utf8').trim().split('\n').sort(), ['applied agent-a', 'applied agent-b']);
    const cells = frame.locator('table.matrix button.cell');
    assert.strictEqual(await cells.count(), 4);
    for (const label of await cells.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''))) assert.match(label, /succeeded/);
    await frame.locator('button.cell', { hasText: 'succeeded' }).first().click();
    await frame.locator('pre.tail .line', { hasText: 'preparing' }).first().waitFor({ timeout: 30_000 });
    await wb.shot('run-panel-succeeded');
  });

  it('opens a step log from the Runs view as an editor document', async () => {
    const { page } = wb;
    const runsPane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Runs' }) });
    const run = runsPane.locator('.monaco-list-row', { hasText: 'Test: local steps' }).first();
    await run.waitFor({ timeout: 30_000 });
    // Expand the run, then its first step, then open the instance log.
    await run.locator('.monaco-tl-twistie').click();
    const step = runsPane.locator('.monaco-list-row', { hasText: 'Prepare' }).first();
    await step.waitFor();
    await step.locator('.monaco-tl-twistie').click();
    const log = runsPane.locator('.monaco-list-row[aria-label^="Log of staging"]').first();
    await log.waitFor();
    await log.click();
    const tab = page.locator('.tab', { hasText: 'staging.backout-log' });
    await tab.waitFor({ timeout: 30_000 });
    const lines = page.locator('.editor-instance .view-lines');
    await lines.filter({ hasText: 'preparing staging' }).waitFor({ timeout: 30_000 });
    // The grammar colours the log: timestamps, stream names and stderr text get token classes of their own.
    const deadline = Date.now() + 20_000;
    let classes: string[] = [];
    while (Date.now() < deadline) {
      classes = await lines.locator('span[class^="mtk"]').evaluateAll((els) => [...new Set(els.map((e) => e.className))]);
      if (classes.length >= 3) break;
      await page.waitForTimeout(200);
    }
    assert.ok(classes.length >= 3, `the log is coloured by its grammar (token classes: ${classes.join(' ')})`);
    await wb.shot('step-log');
  });

  it('runs the Runs-view buttons on a run item: Export Run Report inline, Run Again from the context menu', async () => {
    const { page } = wb;
    const runsPane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Runs' }) });
    const run = runsPane.locator('.monaco-list-row', { hasText: 'Test: local steps' }).first();
    await run.hover();
    await run.locator('.action-label[aria-label^="Export Run Report"]').click();
    await page.locator('.tab', { hasText: /report.*\.md/ }).first().waitFor({ timeout: 30_000 });
    await run.click({ button: 'right' });
    await page.locator('.context-view .action-label', { hasText: 'Run Again…' }).click();
    // Run Again: every answer of the run, back in the review.
    await atStep(page, 'review');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'agent-a,agent-b' }).first().waitFor();
    await wb.shot('runs-view-run-again');
    await page.keyboard.press('Escape');
    // The tree node reached each command as a run: no "The "path" argument must be of type string" or other error.
    assert.strictEqual(await page.locator('.notification-toast', { hasText: /Backout: .*(argument|error|Error)/ }).count(), 0, 'no command reported an error');
  });
});
