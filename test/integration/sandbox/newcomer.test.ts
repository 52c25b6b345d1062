// The newcomer path, as the README tells a new user to take it: `npm run sandbox`, open the printed URL, and in the
// real VS Code start each procedure from the Targets view, answering every question with what is offered first (its
// default, or the first choice the extension found on the target), and each gate as a person would (Confirm in the
// run panel; "Done" for a manual step). Both runs must succeed, and the labs must show the result. The screenshots of
// this run are the README's.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Browser, Page } from 'playwright-core';
import { readManifest } from '../../../lab/agent/lab';
import { readState } from '../../../lab/agent/emulator/state';
import { SANDBOX_DMSS } from '../../../lab/sandbox/dms';
import { loadKubeconfig } from '../../../src/adapters/kube/kubeconfig';
import { launchBrowser } from '../../harness/browser';
import { openBackout, webview } from '../../ui/workbench';
import { repo, startSandbox, type StartedSandbox } from './start';

const shots = path.join(repo, 'test-results', 'newcomer');

/** A question seen on the way: the quick input's title and placeholder, and what was selected by pressing Enter. */
interface Question {
  title: string;
  prompt: string;
  active: string;
}

/**
 * Presses Enter on every question until the run panel shows the run's title, recording each question. A question
 * that comes back unchanged after Enter (a required value without a default) fails the test, naming it.
 */
async function answerWithDefaults(page: Page, panelTitle: RegExp): Promise<Question[]> {
  const widget = page.locator('.quick-input-widget');
  const frame = webview(page);
  const asked: Question[] = [];
  let repeats = 0;
  const deadline = Date.now() + 180_000;
  for (;;) {
    assert.ok(Date.now() < deadline, `the run panel did not open; questions so far:\n${asked.map((q) => `${q.title} | ${q.prompt} | ${q.active}`).join('\n')}`);
    if (await frame.locator('h1', { hasText: panelTitle }).isVisible().catch(() => false)) return asked;
    if (!(await widget.isVisible())) {
      await page.waitForTimeout(200);
      continue;
    }
    const title = await widget.locator('.quick-input-title').innerText().catch(() => '');
    const prompt = (await widget.locator('input').getAttribute('placeholder').catch(() => null)) ?? (await widget.locator('.quick-input-message').innerText().catch(() => ''));
    const active = await widget.locator('.quick-input-list .monaco-list-row.focused .label-name').first().innerText({ timeout: 500 }).catch(() => (widget.locator('input').inputValue().catch(() => '')));
    const last = asked[asked.length - 1];
    if (last !== undefined && last.title === title && last.prompt === prompt) {
      repeats++;
      assert.ok(repeats < 5, `"${title}: ${prompt}" came back after Enter: it has no default the newcomer could take`);
    } else {
      repeats = 0;
      asked.push({ title, prompt, active: typeof active === 'string' ? active : '' });
    }
    if (asked.length === 1 || asked.length === 4) await page.screenshot({ path: path.join(shots, `questions-${asked.length}.png`) });
    await page.keyboard.press('Enter');
    await page.waitForTimeout(400);
  }
}

/** Confirms each gate in the panel and answers each manual step "Done" until the run has succeeded. */
async function followRun(page: Page, name: string, timeoutMs: number): Promise<number> {
  const frame = webview(page);
  const succeeded = frame.locator('vscode-badge.status-succeeded');
  const failed = frame.locator('vscode-badge.status-failed');
  const confirm = frame.locator('section.gate vscode-button.gate-confirm');
  const widget = page.locator('.quick-input-widget');
  let gates = 0;
  const deadline = Date.now() + timeoutMs;
  while (!(await succeeded.first().isVisible())) {
    if (await failed.first().isVisible()) {
      await page.screenshot({ path: path.join(shots, `${name}-failed.png`) });
      assert.fail(`the ${name} run failed; see test-results/newcomer/${name}-failed.png`);
    }
    assert.ok(Date.now() < deadline, `the ${name} run finished within ${timeoutMs / 1000} s`);
    if (await widget.isVisible()) {
      // A manual step: a person does what it says, then answers Done.
      const done = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Done' }).first();
      if (await done.isVisible().catch(() => false)) {
        await widget.locator('input').fill('Done');
        await page.keyboard.press('Enter');
        await widget.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
        continue;
      }
    }
    if (await confirm.isVisible()) {
      if (gates === 0) await page.screenshot({ path: path.join(shots, `${name}-gate.png`) });
      await confirm.click();
      gates++;
      await frame.locator('section.gate').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
      continue;
    }
    await page.waitForTimeout(250);
  }
  await page.screenshot({ path: path.join(shots, `${name}-succeeded.png`) });
  return gates;
}

async function startFromTargets(page: Page, rowText: string): Promise<void> {
  await openBackout(page);
  const rows = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Targets' }) }).locator('.monaco-list-row');
  const row = rows.filter({ hasText: rowText }).first();
  await row.waitFor({ timeout: 60_000 });
  await row.hover();
  await row.locator('.action-label[aria-label^="Start Rollback on This Target"]').click();
}

describe('the newcomer path: npm run sandbox, then each procedure from the Targets view with its defaults', function () {
  let sandbox: StartedSandbox;
  let browser: Browser;
  let page: Page;

  before(async function () {
    this.timeout(20 * 60_000);
    fs.mkdirSync(shots, { recursive: true });
    sandbox = await startSandbox('bknew');
    console.log(`      sandbox ready in ${(sandbox.startMs / 1000).toFixed(1)} s`);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(sandbox.record.openUrl ?? '');
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  });

  after(async function () {
    this.timeout(120_000);
    await browser?.close().catch(() => undefined);
    if (sandbox !== undefined) {
      const code = await sandbox.stop().catch(() => undefined);
      if (code !== 0) console.log(sandbox.output());
      await sandbox.cleanUp();
    }
  });

  it('DataMiner: Start Rollback on lab-dms with every default downgrades all three Agents to 10.3.5 with the module swap', async function () {
    this.timeout(12 * 60_000);
    const dms = SANDBOX_DMSS.find((d) => d.name === 'lab-dms');
    assert.ok(dms !== undefined);
    await startFromTargets(page, 'lab-dms');
    const asked = await answerWithDefaults(page, /DataMiner/);
    console.log(`      ${asked.length} questions: ${asked.map((q) => `${q.title.replace(/^.*: /, '')} → ${q.active}`).join('; ')}`);
    const gates = await followRun(page, 'dataminer', 10 * 60_000);
    assert.ok(gates >= 2, `each destructive step was confirmed in the panel (${gates} gates)`);
    const agents = readManifest(sandbox.paths.agentLab).agents.filter((a) => a.dms === 'lab-dms');
    assert.deepEqual(agents.map((a) => a.name), dms.agents);
    for (const a of agents) {
      const s = readState(a.dir);
      assert.match(s.build, /^10\.3\.5\.0-/, `${a.name} runs 10.3.5`);
      assert.equal(s.status, 'Running', `${a.name} is running`);
      const modules = s.programs.filter((p) => p.name.startsWith('DataMiner ')).map((p) => `${p.name} ${p.version}`).sort();
      assert.ok(modules.every((m) => !/StorageModule 3\.|UserDefinableApiEndpoint 2\./.test(m)), `${a.name}: the module swap installed the older modules (${modules.join(', ')})`);
    }
  });

  it('Ondat: Start Rollback on the lab context with every default installs Ondat 2.6.0 and leaves etcd alone', async function () {
    this.timeout(12 * 60_000);
    await startFromTargets(page, 'backout-lab-admin');
    const asked = await answerWithDefaults(page, /Ondat/);
    console.log(`      ${asked.length} questions: ${asked.map((q) => `${q.title.replace(/^.*: /, '')} → ${q.active}`).join('; ')}`);
    const gates = await followRun(page, 'ondat', 10 * 60_000);
    assert.ok(gates >= 1, `each destructive step was confirmed in the panel (${gates} gates)`);
    const kc = loadKubeconfig({ origin: 'setting', files: [sandbox.paths.kubeconfig] }).kubeConfig;
    kc.setCurrentContext('backout-lab-admin');
    const clusters = (await kc.makeApiClient(CustomObjectsApi).listClusterCustomObject({ group: 'storageos.com', version: 'v1', plural: 'storageosclusters' })) as {
      items: Array<{ spec?: { images?: { nodeContainer?: string } } }>;
    };
    assert.equal(clusters.items.length, 1);
    assert.match(clusters.items[0]?.spec?.images?.nodeContainer ?? '', /:v2\.6\.0$/);
    const etcd = await kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: 'storageos-etcd' });
    assert.ok(etcd.items.length > 0, 'the etcd namespace keeps its deployments');
  });
});
