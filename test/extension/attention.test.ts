// Attention where it belongs: a gate that opens in a run whose panel is not visible brings a notification offering
// to open the panel; a visible panel brings none; the Runs view's badge counts the runs waiting for a person.
// VS Code's notification is replaced for the test by one that records the message and answers as a person would.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { RunAttention } from '../../src/ui/runs/attention';
import { GateBroker } from '../../src/ui/runs/gates';
import { backout, eventually } from './util';

type Warn = (message: string, ...items: string[]) => Thenable<string | undefined>;

/** Replaces window.showWarningMessage while `body` runs; each call is recorded and answered by `answer`. */
async function withWarnings<T>(answer: (message: string, items: string[]) => string | undefined, body: (shown: Array<{ message: string; items: string[] }>) => Promise<T>): Promise<T> {
  const shown: Array<{ message: string; items: string[] }> = [];
  const window = vscode.window as unknown as { showWarningMessage: Warn };
  const original = window.showWarningMessage;
  window.showWarningMessage = async (message: string, ...items: string[]) => {
    shown.push({ message, items });
    return answer(message, items);
  };
  try {
    return await body(shown);
  } finally {
    window.showWarningMessage = original;
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Attention: a run waiting for a person is announced where it can be answered', () => {
  it('offers to open the panel of a run whose gate opened while its panel was not visible, and opens it when chosen', async () => {
    const gates = new GateBroker();
    const runsView = { badge: undefined as vscode.ViewBadge | undefined };
    const opened: string[] = [];
    const attention = new RunAttention({ gates, runsView: runsView as unknown as vscode.TreeView<unknown>, panelVisible: () => false, openPanel: (id) => opened.push(id) });
    try {
      await withWarnings((_m, items) => items[0], async (shown) => {
        const answer = gates.request('run-hidden', { title: 'Delete StorageOSCluster storageos/cluster', target: 'staging' });
        assert.deepStrictEqual(runsView.badge && { value: runsView.badge.value, tooltip: runsView.badge.tooltip }, { value: 1, tooltip: '1 run waiting for your confirmation' });
        await eventually(() => assert.strictEqual(shown.length, 1));
        assert.match(shown[0]?.message ?? '', /run run-hidden waits for your confirmation: Delete StorageOSCluster storageos\/cluster/);
        assert.deepStrictEqual(shown[0]?.items, ['Open Run Panel']);
        await eventually(() => assert.deepStrictEqual(opened, ['run-hidden']));
        gates.declineAll('run-hidden');
        assert.strictEqual(await answer, false);
        assert.strictEqual(runsView.badge, undefined, 'no run waits: no badge');
      });
    } finally {
      attention.dispose();
      gates.dispose();
    }
  });

  it('brings no notification when the run\'s panel is visible, and one per gate, not per change', async () => {
    const gates = new GateBroker();
    const runsView = { badge: undefined as vscode.ViewBadge | undefined };
    let visible = true;
    const attention = new RunAttention({ gates, runsView: runsView as unknown as vscode.TreeView<unknown>, panelVisible: () => visible, openPanel: () => undefined });
    try {
      await withWarnings(() => undefined, async (shown) => {
        void gates.request('run-shown', { title: 'Scale down shop/shop-db', target: 'staging' });
        await pause(1000);
        assert.strictEqual(shown.length, 0, 'the visible panel shows the gate itself');
        gates.declineAll('run-shown');
        visible = false;
        void gates.request('run-shown', { title: 'Delete the operator', target: 'staging' });
        void gates.request('run-other', { title: 'Delete the operator', target: 'prod-eu', expected: 'prod-eu' });
        assert.strictEqual(runsView.badge?.value, 2, 'two runs wait');
        await eventually(() => assert.strictEqual(shown.length, 2));
        await pause(800);
        assert.strictEqual(shown.length, 2, 'each gate is announced once');
        assert.deepStrictEqual(shown.map((s) => s.message.match(/run (\S+) waits/)?.[1]).sort(), ['run-other', 'run-shown']);
        gates.declineAll('run-shown');
        gates.declineAll('run-other');
      });
    } finally {
      attention.dispose();
      gates.dispose();
    }
  });

  it('is wired to the extension\'s gates: a gate of a run without an open panel is announced', async () => {
    const api = await backout();
    await withWarnings(() => undefined, async (shown) => {
      const answer = api.gates.request('run-without-panel', { title: 'Uninstall DataMiner on dma-02', target: 'lab' });
      await eventually(() => assert.ok(shown.some((s) => s.message.includes('run run-without-panel waits for your confirmation: Uninstall DataMiner on dma-02')), JSON.stringify(shown)));
      api.gates.declineAll('run-without-panel');
      assert.strictEqual(await answer, false);
    });
  });
});
