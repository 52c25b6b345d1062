import * as assert from 'assert';
import * as path from 'path';
import { fixtures, openBackout, openWorkbench, runCommand, type Workbench } from './workbench';

const kube = path.join(fixtures, 'kubeconfig');

describe('UI: the Targets view in a real VS Code', () => {
  let wb: Workbench;

  before(async () => {
    wb = await openWorkbench({ env: { KUBECONFIG: `${path.join(kube, 'team.yaml')}:${path.join(kube, 'prod.yaml')}` } });
  });

  after(async () => {
    await wb?.close();
  });

  it('shows the kubeconfig contexts under Kubernetes, the current one marked', async () => {
    await openBackout(wb.page);
    const tree = wb.page.locator('.pane', { has: wb.page.locator('.pane-header', { hasText: 'Targets' }) }).locator('.monaco-list-row');
    await tree.filter({ hasText: 'prod-eu' }).waitFor({ timeout: 30_000 });
    const labels = await tree.locator('.label-name').allInnerTexts();
    assert.deepStrictEqual(labels, ['Kubernetes', 'staging', 'dev', 'prod-eu']);
    const descriptions = await tree.locator('.label-description').allInnerTexts();
    assert.match(descriptions[1], /^current · https:\/\/127\.0\.0\.1:16443$/);
    assert.doesNotMatch(descriptions[3], /current/);
    await wb.shot('targets-view');
  });

  it('runs "Backout: Refresh Targets" from the command palette and keeps the contexts', async () => {
    await runCommand(wb.page, 'Backout: Refresh Targets');
    const tree = wb.page.locator('.monaco-list-row', { hasText: 'staging' });
    await tree.first().waitFor({ timeout: 30_000 });
    assert.strictEqual(await tree.count(), 1);
    await wb.shot('targets-after-refresh');
  });
});

describe('UI: a malformed kubeconfig', () => {
  let wb: Workbench;

  before(async () => {
    wb = await openWorkbench({ env: { KUBECONFIG: path.join(kube, 'malformed.yaml') } });
  });

  after(async () => {
    await wb?.close();
  });

  it('shows an error item that names the file instead of an empty view', async () => {
    await openBackout(wb.page);
    const row = wb.page.locator('.monaco-list-row', { hasText: 'Invalid kubeconfig' });
    await row.waitFor({ timeout: 30_000 });
    assert.strictEqual(await row.locator('.label-description').innerText(), 'malformed.yaml: invalid YAML');
    await row.hover();
    await wb.page.locator('.monaco-hover', { hasText: 'is malformed' }).first().waitFor({ timeout: 10_000 });
    await wb.shot('targets-malformed-kubeconfig');
  });
});
