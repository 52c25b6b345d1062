import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startLab, type AgentLab } from '../../lab/agent/lab';
import { answerSteps, openBackout, openWorkbench, webview, type Workbench } from './workbench';

const PACKAGE = 'C:\\Skyline DataMiner\\Upgrades\\DataMiner 10.3.5.dmupgrade';

describe('UI: a DataMiner module-swap downgrade against the Agent lab', () => {
  let lab: AgentLab;
  let wb: Workbench;

  before(async () => {
    lab = await startLab({ agents: ['dma-01', 'dma-02', 'dma-03'].map((name) => ({ name, version: '10.3.9', upgradeDurationMs: 1500 })), userPrefix: 'bkuit' });
    for (const a of lab.agents) lab.placePackage(a.name, PACKAGE, '10.3.5', []);
    const state = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'backout-ui-dms-'));
    const knownHosts = path.join(state, 'known_hosts');
    fs.writeFileSync(knownHosts, `${lab.knownHostsLines().join('\n')}\n`);
    const inventory = {
      version: 1,
      systems: [
        {
          name: 'lab-dms',
          production: false,
          // host: the Agent's own address, which UpgradeInfo.xml names it by (the lab's Taskbar Utility refuses others).
          agents: lab.agents.map((a) => ({ name: a.name, host: a.address, port: a.port, user: a.user, auth: 'key', identityFile: lab.clientKeyPath, shell: 'cmd' })),
        },
      ],
    };
    wb = await openWorkbench({
      workspaceFiles: { '.backout/inventory.json': JSON.stringify(inventory, null, 2) },
      userSettings: { 'backout.ssh.knownHostsFile': knownHosts, 'backout.runsDirectory': path.join(state, 'runs') },
    });
  });

  after(async () => {
    await wb?.close();
    await lab?.stop();
  });

  it('lists the registered DMS with its Agents at 10.3.9', async () => {
    const { page } = wb;
    await openBackout(page);
    const dms = page.locator('.monaco-list-row', { hasText: 'lab-dms' }).first();
    await dms.waitFor({ timeout: 30_000 });
    await dms.locator('.monaco-tl-twistie').click();
    await page.locator('.monaco-list-row', { hasText: 'DataMiner 10.3.9' }).nth(2).waitFor({ timeout: 60_000 });
    await wb.shot('targets-dms');
    await dms.locator('.monaco-tl-twistie').click();
  });

  it('runs the downgrade with the module swap, each destructive step confirmed in the panel', async () => {
    const { page } = wb;
    const dms = page.locator('.monaco-list-row', { hasText: 'lab-dms' }).first();
    await dms.hover();
    await dms.locator('.action-label[aria-label^="Start Rollback on This Target"]').click();
    // Route B takes route, version and package; the scope is changed in the review (it is an advanced parameter).
    await wb.shot('dms-before-questions');
    const steps: string[] = [];
    await answerSteps(page, { route: 'package', to: '10.3.5', packages: `agent:${PACKAGE}` }, 40, { upgradeScope: 'each-agent' }, steps);
    assert.deepStrictEqual(steps, ['route', 'to', 'packages', 'review'], 'three questions (the target came from the tree), then the review');
    const frame = webview(page);
    await frame.locator('h1', { hasText: 'DataMiner' }).waitFor({ timeout: 120_000 }).catch(async (err: unknown) => {
      await wb.shot('dms-run-failed');
      throw err;
    });
    const succeeded = frame.locator('vscode-badge.status-succeeded');
    const failed = frame.locator('vscode-badge.status-failed');
    const confirm = frame.locator('section.gate vscode-button.gate-confirm');
    const widget = page.locator('.quick-input-widget');
    let gates = 0;
    let shot = false;
    const deadline = Date.now() + 240_000;
    while (!(await succeeded.isVisible())) {
      assert.ok(!(await failed.isVisible()), 'the run did not fail');
      assert.ok(Date.now() < deadline, 'the run finished in time');
      if (await widget.isVisible()) {
        // A manual step (acknowledge the warnings): answer Done (the first choice).
        await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Done' }).first().waitFor();
        await widget.locator('input').fill('Done');
        await page.keyboard.press('Enter');
        await widget.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
      } else if (await confirm.isVisible()) {
        if (!shot) {
          await wb.shot('run-panel-dms-gate');
          shot = true;
        }
        await confirm.click();
        gates++;
        await frame.locator('section.gate').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
      } else {
        await page.waitForTimeout(200);
      }
    }
    assert.ok(gates >= 2, `destructive steps were confirmed in the panel (${gates})`);
    for (const a of lab.agents) {
      const s = lab.state(a.name);
      assert.match(s.build, /^10\.3\.5\.0-/, `${a.name} runs 10.3.5`);
      const mods = s.programs.filter((p) => p.name.startsWith('DataMiner ')).map((p) => `${p.name} ${p.version}`).sort();
      assert.deepStrictEqual(mods, ['DataMiner StorageModule 1.0.1', 'DataMiner UserDefinableApiEndpoint 1.1.1']);
    }
    await wb.shot('run-panel-dms-succeeded');
  });
});
