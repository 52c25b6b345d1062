// `npm run sandbox` end to end: the real entry point in a child process, with its own state folder, user prefix and
// port. It must come up with both labs and code-server, write files the adapters accept (inventory, ssh config,
// known_hosts, kubeconfig), leave the user's home alone, and on SIGINT stop every process it started.
import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { ConfirmRequest, PickRequest, Prompter, SecretRequest, TypeToConfirmRequest } from '../../../src/core/ports';
import { gatherAgentFacts } from '../../../src/adapters/ssh/agent-facts';
import { HostKeyVerifier } from '../../../src/adapters/ssh/host-key';
import { SshPool } from '../../../src/adapters/ssh/pool';
import { resolveHost } from '../../../src/adapters/ssh/ssh-config';
import { agentEndpoint, loadInventory, readInventoryFile } from '../../../src/adapters/store';
import { loadKubeconfig } from '../../../src/adapters/kube/kubeconfig';
import { launchBrowser } from '../../harness/browser';
import { exited, repo, startSandbox, type StartedSandbox } from './start';
import { ownership, type Layout } from '../../../lab/sandbox/layout';
import { alive, processesOf } from '../../../lab/sandbox/procs';
import type { SandboxRecord } from '../../../lab/sandbox/main';


/** Records every question; answers none. The sandbox's files must make any question unnecessary. */
class NoQuestions implements Prompter {
  readonly asked: string[] = [];
  async confirm(q: ConfirmRequest): Promise<boolean> {
    this.asked.push(q.title);
    return false;
  }
  async typeToConfirm(q: TypeToConfirmRequest): Promise<boolean> {
    this.asked.push(q.title);
    return false;
  }
  async askSecret(q: SecretRequest): Promise<string | undefined> {
    this.asked.push(q.title);
    return undefined;
  }
  async pick<T extends string>(q: PickRequest<T>): Promise<T | undefined> {
    this.asked.push(q.title);
    return undefined;
  }
}

/** Files of the real home that nothing in the sandbox may write. */
const REAL_HOME_FILES = ['.ssh/config', '.ssh/known_hosts', '.kube/config', '.backout/inventory.json', '.backout/known_hosts'].map((f) => path.join(os.homedir(), f));

function snapshot(files: string[]): string[] {
  return files.map((f) => {
    try {
      const st = fs.statSync(f);
      return `${f} ${st.size} ${st.mtimeMs}`;
    } catch {
      return `${f} absent`;
    }
  });
}

describe('npm run sandbox', function () {
  let stateDir: string;
  let paths: Layout;
  let sandbox: StartedSandbox;
  let child: ChildProcess;
  let output: () => string;
  let port: number;
  let record: SandboxRecord;
  let homeBefore: string[];

  before(async function () {
    // A warm start takes ~15 s; the first run on a machine also installs code-server (~3 min).
    this.timeout(20 * 60_000);
    homeBefore = snapshot(REAL_HOME_FILES);
    sandbox = await startSandbox('bksbt');
    ({ stateDir, paths, child, port, record } = sandbox);
    output = sandbox.output;
  });

  after(async function () {
    this.timeout(90_000);
    // Only when a test failed before the SIGINT test: never leave the sandbox running.
    await sandbox?.cleanUp();
  });

  it('prints the URL of code-server on the chosen port, which answers /healthz', async () => {
    const url = `http://127.0.0.1:${port}`;
    assert.equal(record.status, 'ready');
    assert.equal(record.url, url);
    assert.ok(output().includes(`${url}/?folder=${paths.workspace}`), output());
    const res = await fetch(`${url}/healthz`);
    assert.equal(res.status, 200);
    // Progress: one line per phase with the time since start.
    for (const phase of ['kube binaries', 'kube lab', 'Agent lab', 'workspace', 'code-server']) {
      assert.match(output(), new RegExp(`^\\[\\s*\\d+\\.\\d+s\\] ${phase}: .*\\(\\d+\\.\\d s\\)$`, 'm'), `no end line for ${phase}`);
    }
  });

  it('writes a valid inventory: DMS lab-dms with its 3 Agents on the lab ports, the lab key as identity', () => {
    const file = readInventoryFile(paths.inventory);
    assert.deepEqual(file.problems, []);
    // As the extension reads it: the workspace inventory, and a user inventory that must stay absent.
    const loaded = loadInventory({ homeDir: path.join(stateDir, 'no-home'), workspaceFolders: [paths.workspace] });
    assert.deepEqual(loaded.problems, []);
    // lab-dms (module swap) and lab-dms-nats (across majors, VerifyNatsIsRunning): lab/sandbox/dms.ts.
    assert.deepEqual(loaded.systems.map((s) => s.name), ['lab-dms', 'lab-dms-nats']);
    const agents = loaded.systems[0]?.agents ?? [];
    assert.deepEqual(agents.map((a) => a.name), ['dma-01', 'dma-02', 'dma-03']);
    assert.deepEqual(loaded.systems[1]?.agents.map((a) => a.name), ['nats-01', 'nats-02']);
    for (const [i, a] of agents.entries()) {
      // Each Agent's own loopback address: what UpgradeInfo.xml names it by.
      assert.equal(a.host, `127.0.0.${11 + i}`);
      assert.equal(a.identityFile, path.join(paths.agentLab, 'client', 'id_ed25519'));
      assert.match(a.user ?? '', /^bksbt0[1-3]$/);
    }
    assert.equal(new Set(agents.map((a) => a.port)).size, 3);
  });

  it('points the VS Code settings (user and remote machine) at the sandbox files, leaving the real home alone', () => {
    // Backout's settings are machine-scoped: code-server's remote extension host reads them from Machine/settings.json.
    for (const scope of ['User', 'Machine']) {
      const settings = JSON.parse(fs.readFileSync(path.join(paths.vscode, 'user-data', scope, 'settings.json'), 'utf8')) as Record<string, unknown>;
      assert.deepEqual(
        {
          kubeconfig: settings['backout.kubeconfig'],
          runs: settings['backout.runsDirectory'],
          ssh: settings['backout.ssh.configFile'],
          knownHosts: settings['backout.ssh.knownHostsFile'],
          identities: settings['backout.ssh.identityFiles'],
          inventory: settings['backout.inventoryFile'],
        },
        {
          kubeconfig: paths.kubeconfig,
          runs: paths.runs,
          ssh: paths.sshConfig,
          knownHosts: paths.knownHosts,
          identities: [path.join(paths.agentLab, 'client', 'id_ed25519')],
          inventory: paths.userInventory,
        },
        scope,
      );
    }
    assert.ok(fs.statSync(paths.runs).isDirectory());
    assert.equal(fs.existsSync(paths.userInventory), false);
    assert.deepEqual(snapshot(REAL_HOME_FILES), homeBefore);
  });

  it('writes a kubeconfig the loader accepts, whose admin context reaches 3 nodes running Ondat 2.7.0', async () => {
    const loaded = loadKubeconfig({ origin: 'setting', files: [paths.kubeconfig] });
    assert.equal(loaded.currentContext, 'backout-lab-admin');
    assert.ok(loaded.contexts.some((c) => c.name === 'backout-lab-admin' && c.server?.startsWith('https://127.0.0.1:')));
    const nodes = await loaded.kubeConfig.makeApiClient(CoreV1Api).listNode();
    assert.equal(nodes.items.length, 3);
    const daemonSets = await loaded.kubeConfig.makeApiClient(AppsV1Api).listDaemonSetForAllNamespaces();
    const node = daemonSets.items.find((d) => d.metadata?.name === 'storageos-node');
    assert.equal(node?.status?.numberReady, 3);
    assert.match(node?.spec?.template.spec?.containers[0]?.image ?? '', /:v2\.7\.0$/);
  });

  it('reaches the Agents through the written ssh config and known_hosts, and through the inventory, with no question asked', async function () {
    this.timeout(60_000);
    const prompter = new NoQuestions();
    // Host keys come only from the sandbox's known_hosts: an unknown key would ask, and NoQuestions declines.
    const hostKeys = new HostKeyVerifier({ userKnownHostsFiles: [], backoutKnownHostsFile: paths.knownHosts, prompter });
    const pool = new SshPool({ hostKeys, prompter, agent: null, defaultIdentityFiles: [], promptForPassword: false });
    try {
      const viaConfig = resolveHost('dma-01', { configFile: paths.sshConfig, homeDir: path.join(stateDir, 'no-home') });
      const facts = await gatherAgentFacts(pool, viaConfig, { timeoutMs: 30_000 });
      assert.equal(facts.reachable, true, facts.error);
      assert.equal(facts.version?.version, '10.3.9.0');
      assert.deepEqual(facts.modules?.map((m) => `${m.module} ${m.version}`), ['DataMiner StorageModule 3.0.3', 'DataMiner UserDefinableApiEndpoint 2.0.2']);

      const dms = loadInventory({ homeDir: path.join(stateDir, 'no-home'), workspaceFolders: [paths.workspace] }).systems[0];
      assert.ok(dms !== undefined);
      const agent = dms.agents[1];
      assert.ok(agent !== undefined);
      const r = await pool.exec(agentEndpoint(dms, agent), 'echo %COMPUTERNAME%', { timeoutMs: 30_000 });
      assert.equal(r.exitCode, 0, r.stderr);
      // The emulator names each Agent's computer after it, as cmd.exe reports it.
      assert.equal(r.stdout.trim(), 'DMA-02');
      assert.deepEqual(prompter.asked, []);
    } finally {
      await pool.close();
    }
  });

  it('shows DMS lab-dms and the lab contexts in the Backout view of the browser, each Agent reached at 10.3.9', async function () {
    this.timeout(120_000);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(record.openUrl ?? '');
      const backout = page.locator('.activitybar .action-item a[aria-label^="Backout"]').first();
      await backout.waitFor({ timeout: 60_000 });
      await backout.click();
      const rows = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Targets' }) }).locator('.monaco-list-row');
      const dms = rows.filter({ hasText: 'lab-dms' }).first();
      await dms.waitFor({ timeout: 60_000 });
      await dms.click();
      await page.keyboard.press('ArrowRight');
      // The Agents' descriptions come from facts the extension gathers over SSH with the sandbox's settings.
      await rows.filter({ hasText: 'dma-03' }).filter({ hasText: 'DataMiner 10.3.9' }).waitFor({ timeout: 60_000 });
      const labels = await rows.locator('.label-name').allInnerTexts();
      assert.deepEqual(labels.slice(0, 5), ['DataMiner Systems', 'lab-dms', 'dma-01', 'dma-02', 'dma-03']);
      assert.ok(labels.includes('backout-lab-admin'), labels.join(', '));
      const descriptions = await rows.locator('.label-description').allInnerTexts();
      for (const [i, name] of ['dma-01', 'dma-02', 'dma-03'].entries()) {
        const port = loadInventory({ homeDir: path.join(stateDir, 'no-home'), workspaceFolders: [paths.workspace] }).systems[0]?.agents[i]?.port;
        assert.equal(descriptions[i + 1], `DataMiner 10.3.9.0 · 127.0.0.${11 + i}:${port}`, `${name}: ${descriptions.join(' | ')}`);
      }
    } catch (err) {
      // What the page showed, for the failure report.
      const shots = path.join(repo, 'test-results', 'sandbox');
      fs.mkdirSync(shots, { recursive: true });
      await browser.contexts()[0]?.pages()[0]?.screenshot({ path: path.join(shots, 'targets-failure.png') });
      throw err;
    } finally {
      await browser.close();
    }
  });

  it('on Ctrl-C stops every process it started and says so', async function () {
    this.timeout(90_000);
    const pids = [...(record.agentSshdPids ?? []), ...Object.values(record.kube?.pids ?? {}), record.kube?.supervisor ?? -1, record.codeServerChild ?? -1];
    // 5 Agent sshds (lab-dms 3, lab-dms-nats 2), the kube lab's 4 and its supervisor, code-server.
    assert.equal(pids.length, 5 + 4 + 2);
    assert.deepEqual(pids.filter((p) => !alive(p)), [], 'every recorded process runs before the SIGINT');
    const before = processesOf(ownership(paths));
    assert.ok(before.some((p) => p.command.includes('code-server')), 'code-server is found by its isolated HOME');

    child.kill('SIGINT');
    assert.equal(await exited(child, 70_000), 0, output());
    assert.match(output(), /Ctrl-C: stopping everything the sandbox started/);
    assert.match(output(), /Agent lab stopped \(5 sshds/);
    assert.match(output(), /kube lab stopped/);
    assert.match(output(), /code-server stopped/);
    assert.match(output(), /sandbox stopped; none of its processes is left/);
    assert.doesNotMatch(output(), /left over:/);
    assert.deepEqual(pids.filter(alive), []);
    assert.deepEqual(processesOf(ownership(paths)), []);
    assert.equal(fs.existsSync(paths.record), false);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
  });
});
