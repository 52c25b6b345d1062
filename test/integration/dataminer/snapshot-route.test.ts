// Route A end to end through the backout CLI: a 3-Agent lab DMS whose VMs live in a virsh stand-in, restored to the
// newest snapshot taken before the upgrade.
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VirshStandIn } from '../../../lab/agent-hypervisor/virsh';
import { backout, done, runIdOf, startDms } from './dms-lab';

const HISTORY = 'C:\\Skyline DataMiner\\Upgrades\\VersionHistory.txt';
const stamp = (d: Date): string => d.toISOString().replace('T', ' ').slice(0, 19);

describe('DataMiner downgrade by VM snapshot restore, end to end (Agent lab, virsh stand-in, backout CLI)', function () {
  this.timeout(180_000);

  it('reverts every Agent VM to its newest snapshot from before the upgrade and verifies the version', async () => {
    const dms = await startDms(['dma-01', 'dma-02', 'dma-03'].map((name) => ({ name, version: '10.3.5' })));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-virsh-'));
    try {
      const virsh = new VirshStandIn(path.join(dir, 'virsh.json'));
      const now = Date.now();
      for (const a of dms.lab.agents) {
        virsh.define(`vm-${a.name}`, a.dir);
        virsh.snapshot(`vm-${a.name}`, 'weekly', new Date(now - 30 * 86400_000));
        // dma-03's was taken powered off: it is the one VM the run has to start after reverting.
        if (a.name === 'dma-03') virsh.setState(`vm-${a.name}`, 'shut off');
        virsh.snapshot(`vm-${a.name}`, 'pre-upgrade', new Date(now - 10 * 60_000));
        virsh.setState(`vm-${a.name}`, 'running');
      }
      // The upgrade to 10.3.9, as DataMiner records it.
      for (const a of dms.lab.agents) {
        dms.lab.update(a.name, (s) => {
          s.build = '10.3.9.0-13201-20230830-release';
        });
        dms.lab.placeFile(a.name, HISTORY, `${dms.lab.readFile(a.name, HISTORY) ?? ''}${stamp(new Date(now))};10.3.9.0-13201-20230830-release\r\n`);
        virsh.snapshot(`vm-${a.name}`, 'after-upgrade', new Date(now + 5 * 60_000));
      }
      dms.binDirs.push(path.join(dir, 'bin'));
      virsh.installWrapper(path.join(dir, 'bin'));

      const r = await backout(
        dms,
        [
          'run', 'dataminer.downgrade', '--yes', '--param', 'route=snapshot', '--param', `agents=${dms.agentsParam}`,
          '--param', 'hypervisor=libvirt', '--param', `vms=${dms.lab.agents.map((a) => `${a.name}=vm-${a.name}`).join(',')}`,
        ],
        done(1),
      ).done;
      assert.strictEqual(r.code, 0, r.stdout + r.stderr);

      const reverts = virsh.calls().filter((c) => c.argv[0] === 'snapshot-revert');
      assert.deepStrictEqual(reverts.map((c) => c.argv.slice(1)).sort(), dms.lab.agents.map((a) => ['--', `vm-${a.name}`, 'pre-upgrade']).sort());
      for (const a of dms.lab.agents) {
        assert.match(dms.lab.state(a.name).build, /^10\.3\.5\.0-/);
        assert.doesNotMatch(dms.lab.readFile(a.name, HISTORY) ?? '', /10\.3\.9/);
        assert.strictEqual(virsh.state().domains[`vm-${a.name}`]?.state, 'running');
      }
      const order = virsh.calls().map((c) => c.argv.filter((a) => a !== '--').slice(0, 2).join(' '));
      assert.deepStrictEqual(order.filter((c) => c.startsWith('start')), ['start vm-dma-03']);
      const last = (p: string): number => Math.max(...order.map((c, i) => (c.startsWith(p) ? i : -1)));
      const first = (p: string): number => order.findIndex((c) => c.startsWith(p));
      assert.ok(last('destroy') < first('snapshot-revert') && last('snapshot-revert') < first('start'), order.join(', '));

      // The evidence the run keeps: which snapshot, taken when, before which upgrade.
      const plan = JSON.parse(fs.readFileSync(path.join(dms.runsDir, runIdOf(r.stdout), 'plan.json'), 'utf8')) as { extra: { snapshots: Array<{ snapshot: string; createdAt: string; upgradeTime: string }> } };
      for (const s of plan.extra.snapshots) {
        assert.strictEqual(s.snapshot, 'pre-upgrade');
        assert.ok(Date.parse(s.createdAt) < Date.parse(s.upgradeTime));
      }
    } finally {
      await dms.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses when a VM has no snapshot from before the upgrade, before touching any VM', async () => {
    const dms = await startDms([{ name: 'dma-01', version: '10.3.9' }]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-virsh-'));
    try {
      const virsh = new VirshStandIn(path.join(dir, 'virsh.json'));
      virsh.define('dma-01', dms.lab.agent('dma-01').dir);
      virsh.snapshot('dma-01', 'too-late', new Date());
      virsh.installWrapper(path.join(dir, 'bin'));
      dms.binDirs.push(path.join(dir, 'bin'));
      const r = await backout(dms, ['run', 'dataminer.downgrade', '--yes', '--param', 'route=snapshot', '--param', `agents=${dms.agentsParam}`, '--param', 'hypervisor=libvirt'], done(1)).done;
      assert.notStrictEqual(r.code, 0);
      assert.match(r.stderr, /VM dma-01: no snapshot was taken before the upgrade at .*found: too-late/);
      assert.deepStrictEqual(virsh.calls().map((c) => c.argv[0]), ['snapshot-list']);
    } finally {
      await dms.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
