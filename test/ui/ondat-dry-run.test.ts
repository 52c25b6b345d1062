import * as assert from 'assert';
import { KubeLab } from '../../lab/kube/lab';
import { answerSteps, openBackout, openWorkbench, webview, type Workbench } from './workbench';

describe('UI: an Ondat dry run against the kube lab', () => {
  let lab: KubeLab;
  let wb: Workbench;

  before(async () => {
    lab = await KubeLab.start({ nodes: 3 });
    await lab.applyOndat('current');
    wb = await openWorkbench({ env: { KUBECONFIG: lab.kubeconfig } });
  });

  after(async () => {
    await wb?.close();
    await lab?.stop();
  });

  it('shows the Ondat version running on a context when it is expanded', async () => {
    const { page } = wb;
    await openBackout(page);
    const row = page.locator('.monaco-list-row', { hasText: KubeLab.contexts.admin }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.locator('.monaco-tl-twistie').click();
    const ondat = page.locator('.monaco-list-row', { hasText: 'Ondat 2.7.0' }).first();
    await ondat.waitFor({ timeout: 30_000 });
    assert.match(await ondat.innerText(), /storageos\/storageoscluster/);
    await wb.shot('targets-ondat-version');
    await row.locator('.monaco-tl-twistie').click();
  });

  it('starts a dry run from the context in the Targets view and shows every manifest without executing it', async () => {
    const { page } = wb;
    await openBackout(page);
    const row = page.locator('.monaco-list-row', { hasText: KubeLab.contexts.admin }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.hover();
    await row.locator('.action-label[aria-label^="Dry Run on This Target"]').click();
    // The lab's workloads use Ondat volumes: let the plan scale them to zero (and back) instead of refusing.
    const steps = await answerSteps(page, { scaleWorkloads: 'true' });
    assert.ok(steps <= 5, `at most 4 questions and the review (${steps} steps)`);
    const frame = webview(page);
    await frame.locator('h1', { hasText: 'Ondat' }).waitFor({ timeout: 120_000 }).catch(async (err: unknown) => {
      await wb.shot('ondat-dry-run-failed');
      throw err;
    });
    await frame.locator('vscode-badge', { hasText: 'dry run' }).waitFor();
    const create = frame.locator('button.cell[data-step="create-downgrade-daemonset"]');
    await create.first().click();
    const command = frame.locator('pre.command');
    await command.filter({ hasText: 'kind: DaemonSet' }).waitFor({ timeout: 30_000 });
    const text = await command.innerText();
    assert.match(text, /storageos-downgrade-database/);
    assert.match(text, /namespace: kube-system/);
    // Nothing was executed: the 2.7.0 install is untouched.
    assert.strictEqual(await lab.api.exists('/apis/apps/v1/namespaces/kube-system/daemonsets/storageos-downgrade-database'), false, 'no downgrade DaemonSet was created');
    assert.strictEqual(await lab.api.exists('/apis/apps/v1/namespaces/storageos/deployments/storageos-operator'), true, 'the 2.7.0 operator is still there');
    await wb.shot('ondat-dry-run');
  });

  it('shows the plan with the workloads on Ondat volumes as its blocking problem, and plans again with the fix', async () => {
    const { page } = wb;
    const row = page.locator('.monaco-list-row', { hasText: KubeLab.contexts.admin }).first();
    await row.hover();
    await row.locator('.action-label[aria-label^="Dry Run on This Target"]').click();
    await answerSteps(page, { scaleWorkloads: 'false' });
    const frame = webview(page);
    const blockers = frame.locator('section.blockers');
    await blockers.waitFor({ timeout: 120_000 });
    assert.match(await blockers.innerText(), /workloads still use Ondat volumes/);
    assert.ok((await frame.locator('button.cell').count()) > 5, 'the plan is shown below the problem');
    assert.strictEqual(await frame.locator('vscode-button', { hasText: 'Start This Rollback' }).count(), 0, 'a blocked plan cannot be started');
    await wb.shot('ondat-dry-run-blocked');
    await blockers.locator('vscode-button', { hasText: 'scaleWorkloads=true' }).click();
    await webview(page).locator('vscode-button', { hasText: 'Start This Rollback' }).waitFor({ timeout: 120_000 });
    assert.strictEqual(await webview(page).locator('section.blockers').count(), 0);
  });
});
