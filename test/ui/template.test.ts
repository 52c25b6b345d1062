import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { fixtures, openWorkbench, runCommand, type Workbench } from './workbench';

const TEMPLATE = '.backout/templates/ondat-downgrade-daemonset.yaml';

/** Replaces the whole text of a 1-based line of the active editor by typing, as a user would. */
async function retypeLine(page: Page, line: number, text: string): Promise<void> {
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget input').waitFor();
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
  await page.keyboard.press('End');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.type(text);
}

async function pickItem(page: Page, label: string): Promise<void> {
  await page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().waitFor({ timeout: 30_000 });
  await page.locator('.quick-input-widget input').fill(label);
  await page.keyboard.press('Enter');
}

describe('UI: editing the Ondat downgrade template', () => {
  let wb: Workbench;

  before(async () => {
    wb = await openWorkbench({ env: { KUBECONFIG: path.join(fixtures, 'kubeconfig', 'team.yaml') } });
  });

  after(async () => {
    await wb?.close();
  });

  it('opens the workspace copy from the command palette, made from the built-in template', async () => {
    const { page } = wb;
    // The palette lists the extension's commands once the extension is installed, which its activity bar item shows.
    await page.locator('.activitybar .action-item a[aria-label^="Backout"]').first().waitFor({ timeout: 60_000 });
    await runCommand(page, 'Backout: Edit Downgrade Script Template');
    await page.locator('.tab.active', { hasText: 'ondat-downgrade-daemonset.yaml' }).waitFor({ timeout: 30_000 });
    await page.locator('.monaco-editor .view-lines', { hasText: 'storageos-downgrade-database' }).first().waitFor();
    assert.match(fs.readFileSync(path.join(wb.workspace, TEMPLATE), 'utf8'), /^ {2}image: soegarots\/node:v2-release-v2\.7\.0-27$/m);
    await page.locator('.statusbar-item', { hasText: 'Runs use this template' }).waitFor({ timeout: 10_000 });
  });

  it('underlines a bad value as it is typed and lists it in the Problems panel', async () => {
    const { page } = wb;
    await page.locator('.monaco-editor .view-lines').first().click();
    await retypeLine(page, 16, 'image: soegarots/node:latest');
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 15_000 });
    await page.keyboard.press('Control+Shift+M');
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'is not pinned' });
    await problem.first().waitFor({ timeout: 15_000 });
    const text = await problem.first().innerText();
    assert.match(text, /image "soegarots\/node:latest" is not pinned; add the exact tag/);
    assert.match(text, /Ln 16/);
    await wb.shot('template-diagnostic');
  });

  it('clears the problem once the value is fixed, and previews the rendered DaemonSet from the editor title', async () => {
    const { page } = wb;
    await page.locator('.monaco-editor .view-lines').first().click();
    await retypeLine(page, 16, 'image: soegarots/node:v2-release-v2.7.0-27');
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'detached', timeout: 15_000 });
    await page.locator('.editor-actions .action-label[aria-label^="Preview Rendered Template"]').first().click();
    await page.locator('.tab', { hasText: 'ondat-downgrade-daemonset.rendered.yaml' }).waitFor({ timeout: 15_000 });
    await page.locator('.monaco-editor .view-lines', { hasText: 'backout.io/template-hash' }).first().waitFor({ timeout: 15_000 });
    await wb.shot('template-preview');
  });

  it('exports the script for oc into an untitled editor', async () => {
    const { page } = wb;
    await page.locator('.tab', { hasText: 'ondat-downgrade-daemonset.yaml' }).first().click();
    await runCommand(page, 'Backout: Export Downgrade Script…');
    await pickItem(page, 'oc');
    await pickItem(page, 'Current context when the script runs');
    await pickItem(page, 'Open in an Editor');
    await page.locator('.tab.active', { hasText: 'Untitled' }).waitFor({ timeout: 15_000 });
    await page.locator('.monaco-editor .view-lines', { hasText: "CLI_TOOL='oc'" }).first().waitFor({ timeout: 15_000 });
    await wb.shot('template-export-oc');
  });

  it('offers Preview and Export in the palette only while the template is the active editor', async () => {
    const { page } = wb;
    // The untitled script is active now.
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    const rows = page.locator('.quick-input-list .monaco-list-row');
    // Each query also matches Edit Downgrade Script Template, which is always offered: once it is listed, the
    // filtered list is complete (and short enough to be rendered whole).
    for (const [query, absent] of [['>Backout: Template', 'Preview Rendered Template'], ['>Backout: Downgrade Script', 'Export Downgrade Script']]) {
      await input.fill(query);
      await rows.filter({ hasText: 'Edit Downgrade Script Template' }).first().waitFor();
      assert.strictEqual(await rows.filter({ hasText: absent }).count(), 0, `${absent} is not offered for an untitled script`);
    }
    await page.keyboard.press('Escape');
    await page.locator('.tab', { hasText: 'ondat-downgrade-daemonset.yaml' }).first().click();
    await page.keyboard.press('F1');
    await input.fill('>Backout: Preview Rendered');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Backout: Preview Rendered Template' }).first().waitFor();
    await page.keyboard.press('Escape');
  });
});
