// Issue 15 §2–§5: the route B plan follows the vendor — the upgrade's own folder, versions as Agents report them, the
// MOP's order around the module swap, BrokerGateway, the backup, the -upgrade timeout, honest attributions.
import * as assert from 'assert';
import type { PlanDraft, SshAction, Step, WaitAction } from '../../../src/core/plan';
import { backupChoice } from '../../../src/procedures/dataminer/backup';
import { CurrentCuQuestionError, DowngradeInputError } from '../../../src/procedures/dataminer/errors';
import { lastVersionPattern, planPackageRoute, type PackageRouteInput } from '../../../src/procedures/dataminer/package-route';
import { compareVersions, parseVersion, VersionError } from '../../../src/procedures/dataminer/version';
import { SRC } from '../../../src/procedures/dataminer/sources';
import { decodeLine } from '../../../src/core/dataminer/windows-commands';
import { agent, dms, routeInput } from './helpers';

function input(from: string, to: string, over: Partial<PackageRouteInput> = {}): PackageRouteInput {
  return routeInput(from, to, { upgradeTimeoutMinutes: 90, ...over });
}

const ids = (d: PlanDraft): string[] => d.steps.map((s) => s.id);
function step(d: PlanDraft, id: string): Step {
  const s = d.steps.find((x) => x.id === id);
  assert.ok(s, `step ${id} in ${ids(d).join(', ')}`);
  return s;
}
const three = (build: string): ReturnType<typeof dms> => dms([agent('dma-1', build), agent('dma-2', build), agent('dma-3', build)]);
const onAgents = (path: string): Partial<PackageRouteInput> => ({ packages: [{ where: 'agent', path }] });

describe('route B follows the vendor (issue 15)', () => {
  describe('the upgrade is followed in its own folder Upgrades\\Packages\\<package file>-<32 hex>', () => {
    const d = planPackageRoute(input('10.3.9', '10.3.8', { facts: three('10.3.9.0-13540-20230830-release'), ...onAgents('C:\\Skyline DataMiner\\Upgrades\\DataMiner 10.3.8.dmupgrade') }));

    it('reads the newest folder of that package, never a folder named after the package alone', () => {
      const wait = step(d, 'wait-upgrade-p1').instances[0]?.action as WaitAction;
      const script = decodeLine((wait.until as SshAction).command) ?? '';
      assert.match(script, /Get-ChildItem -LiteralPath 'C:\\Skyline DataMiner\\Upgrades\\Packages' -Directory -Filter 'DataMiner 10\.3\.8\.dmupgrade-\?{32}'/);
      assert.match(script, /Sort-Object -Property CreationTimeUtc \| Select-Object -Last 1/);
      assert.doesNotMatch(script, /Packages\\DataMiner 10\.3\.8\.dmupgrade\\progress\.log/);
      assert.ok(new RegExp(wait.succeedWhenOutputMatches ?? '', 'm').test('x Upgrade completed'));
    });

    it('knows the upgrade started when that folder exists (the folder name the read prints first)', () => {
      const v = step(d, 'upgrade-p1').instances[0]?.verify;
      const re = new RegExp(v?.expectOutput ?? '', 'm');
      assert.ok(re.test(`DataMiner 10.3.8.dmupgrade-${'a1'.repeat(16)}\n2024-01-01 Upgrade started`));
      assert.ok(!re.test('DataMiner 10.3.8.dmupgrade\n'));
      assert.ok(!re.test(`DataMiner 10.3.8.dmupgrade-${'a1'.repeat(15)}\n`));
    });

    it('gives the -upgrade step the upgradeTimeoutMinutes timeout', () => {
      assert.strictEqual(step(d, 'upgrade-p1').timeoutMs, 90 * 60_000);
    });
  });

  describe('versions as Agents report them', () => {
    it('takes the CU from a -CUn suffix, not from the fourth number', () => {
      const v = parseVersion('10.2.0.0-11897-CU4');
      assert.strictEqual(v.cu, 4);
      assert.strictEqual(v.build, 11897);
      assert.strictEqual(v.cuUnknown, undefined);
      const bare = parseVersion('10.3.0.0-13085-20230801-release');
      assert.strictEqual(bare.cuUnknown, true);
      assert.strictEqual(bare.cu, 0);
    });

    it('orders two builds of one release by build number when the CU is not known', () => {
      assert.ok(compareVersions(parseVersion('10.3.0.0-13085-20230801-release'), parseVersion('10.3.0.0-13110-20231101-release')) < 0);
      assert.ok(compareVersions(parseVersion('10.3.0.0-13110-20231101-release'), parseVersion('10.3.0.0-13085-CU5')) > 0);
    });

    it('refuses 10.3.13 and up, naming the range of 10.3 feature releases', () => {
      assert.throws(() => parseVersion('10.3.13'), (e: unknown) => e instanceof VersionError && /10\.3\.1–10\.3\.12/.test(e.message));
      assert.doesNotThrow(() => parseVersion('10.3.12'));
    });

    it('plans 10.3.0 [CU10] → 10.3.0 [CU5] as a downgrade (read as 10.3.0.0-…-CU10)', () => {
      const facts = three('10.3.0.0-13010-CU10');
      const d = planPackageRoute(input('10.3.0.0-13010-CU10', '10.3.0 [CU5]', { facts, moduleSwap: 'no', ...onAgents('C:\\Skyline DataMiner\\Upgrades\\DataMiner 10.3.0 CU5.dmupgrade') }));
      assert.deepStrictEqual(d.extra?.packages, ['10.3.0 [CU5]']);
      const wait = step(d, 'verify-version-p1').instances[0]?.action as WaitAction;
      const re = new RegExp(wait.succeedWhenOutputMatches ?? '', 'm');
      assert.ok(re.test('2023-01-01 10:00:00;10.3.0.0-13010-CU10\r\n2024-01-01 10:00:00;10.3.0.0-13005-CU5\r\n'));
      assert.ok(re.test('2024-01-01 10:00:00;10.3.0.0-13005-20230101-release\r\n'), 'a build string without -CUn');
      assert.ok(!re.test('2023-01-01 10:00:00;10.3.0.0-13010-CU10\r\n'), 'still CU10');
      assert.ok(!re.test('2024-01-01 10:00:00;10.3.0.0-13015-CU15\r\n'));
    });

    it('asks which CU the DMS runs when its build string does not say and the target is a CU of that release', () => {
      assert.throws(
        () => planPackageRoute(input('10.3.0.0-13010-20231001-release', '10.3.0 [CU5]', { facts: three('10.3.0.0-13010-20231001-release'), moduleSwap: 'no' })),
        (e: unknown) => e instanceof CurrentCuQuestionError && /Which CU does it run\? Answer with from=10\.3\.0 \[CUn\]/.test(e.message),
      );
      // Another release: the CU does not matter.
      assert.doesNotThrow(() => planPackageRoute(input('10.3.0.0-13010-20231001-release', '10.2.0', { facts: three('10.3.0.0-13010-20231001-release'), ...onAgents('C:\\x\\p.dmupgrade') })));
    });

    it('matches an exact build when the package revealed it', () => {
      const re = new RegExp(lastVersionPattern(parseVersion('10.3.5'), false, 13485), 'm');
      assert.ok(re.test('x;10.3.5.0-13485-20230615-release\r\n'));
      assert.ok(!re.test('x;10.3.5.0-13486-20230615-release\r\n'));
    });
  });

  describe("the MOP's order when the module swap applies", () => {
    it('waits for "completed" from the upgrade\'s progress, swaps, starts, then verifies the version on every Agent', () => {
      const d = planPackageRoute(input('10.3.9', '10.3.5', { facts: three('10.3.9.0-13540-20230830-release'), ...onAgents('C:\\Skyline DataMiner\\Upgrades\\DataMiner 10.3.5.dmupgrade') }));
      const order = ids(d);
      const at = (id: string): number => order.indexOf(id);
      assert.ok(at('wait-upgrade-p1') < at('swap-stop-dataminer'));
      assert.ok(at('swap-stop-dataminer') < at('swap-uninstall-storagemodule'));
      assert.ok(at('swap-uninstall-storagemodule') < at('swap-install-storagemodule'));
      assert.ok(at('swap-install-userdefinableapiendpoint') < at('swap-start-dataminer'));
      assert.ok(at('swap-start-dataminer') < at('verify-version-p1'), order.join(', '));
      assert.strictEqual(step(d, 'verify-version-p1').instances.length, 3);
    });

    it('verifies right after each package where no swap follows', () => {
      const d = planPackageRoute(input('10.3.9', '10.3.8', { facts: three('10.3.9.0-13540-20230830-release'), ...onAgents('C:\\x\\p.dmupgrade') }));
      assert.strictEqual(ids(d).indexOf('verify-version-p1'), ids(d).indexOf('wait-upgrade-p1') + 1);
    });
  });

  describe('BrokerGateway: no way back from 10.6.0/10.6.1', () => {
    it('refuses 10.6.0 → 10.5.0 [CU1] before anything runs, quoting the vendor', () => {
      assert.throws(() => planPackageRoute(input('10.6.0', '10.5.0 [CU1]')), (e: unknown) => e instanceof DowngradeInputError && /This is no longer possible from DataMiner 10\.6\.0\/10\.6\.1 onwards/.test(e.message) && /acknowledgeNoNatsRollback=true/.test(e.message));
      assert.throws(() => planPackageRoute(input('10.6.2', '10.5.4')), DowngradeInputError);
    });

    it('allows targets with BrokerGateway support (10.5.0 [CU2], 10.5.5) and sources before 10.6', () => {
      assert.doesNotThrow(() => planPackageRoute(input('10.6.0', '10.5.0 [CU2]')));
      assert.doesNotThrow(() => planPackageRoute(input('10.6.1', '10.5.5')));
      assert.doesNotThrow(() => planPackageRoute(input('10.5.8', '10.4.0')));
    });

    it('goes ahead with the acknowledgement, which the first step the user confirms repeats', () => {
      const d = planPackageRoute(input('10.6.0', '10.5.0 [CU1]', { acknowledgeNoNatsRollback: true }));
      const first = d.steps[0]?.instances[0]?.action;
      assert.ok(first?.kind === 'manual');
      assert.match(first.instructions, /acknowledgeNoNatsRollback=true was given: .*no longer possible/);
      assert.strictEqual(d.extra?.acknowledgeNoNatsRollback, true);
    });
  });

  describe('the backup before the first package', () => {
    it('takes a Taskbar Utility -backup on every Agent before the first package, verified in the backup folder', () => {
      const d = planPackageRoute(input('10.3.9', '10.3.8', { facts: three('10.3.9.0-13540-20230830-release'), ...onAgents('C:\\x\\p.dmupgrade') }));
      const b = step(d, 'backup');
      assert.ok(ids(d).indexOf('backup') < ids(d).indexOf('check-package-p1'));
      assert.strictEqual(b.instances.length, 3);
      assert.match(decodeLine((b.instances[0]?.action as SshAction).command) ?? '', /SLTaskbarUtility\.exe.*-backup/s);
      const re = new RegExp(b.instances[0]?.verify?.expectOutput ?? '', 'm');
      assert.ok(re.test('"Name","CreationTimeUtc"\n"Backup_dma-1.dmbackup","2024-01-01T00:00:00.000Z"'));
      assert.ok(!re.test('"Name","CreationTimeUtc"'));
    });

    it('can be evidence or skipped, but only with a note, which the step shows', () => {
      assert.throws(() => backupChoice('skip', '  '), /backup=skip needs backupNote/);
      assert.throws(() => backupChoice('evidence', undefined), /backup=evidence needs backupNote/);
      const d = planPackageRoute(input('10.3.9', '10.3.8', { backup: backupChoice('skip', 'VM snapshot taken by the hosting team, ticket 4711') }));
      const a = step(d, 'backup').instances[0]?.action;
      assert.ok(a?.kind === 'manual');
      assert.match(a.instructions, /Reason given: VM snapshot taken by the hosting team, ticket 4711/);
      assert.deepStrictEqual(d.extra?.backup, { how: 'skip', reason: 'VM snapshot taken by the hosting team, ticket 4711' });
    });
  });

  describe('attributions', () => {
    it('attributes the Credentials Library step to the unmerged docs pull request, not the MOP', () => {
      assert.match(SRC.credentials, /not in the MOP/i);
      assert.match(SRC.credentials, /pull request/);
      const d = planPackageRoute(input('10.3.9', '10.3.8'));
      assert.match(step(d, 'check-credentials-library').source, /pull request/);
    });

    it('does not claim the prerequisite checks ran when a package is only copied', () => {
      assert.doesNotMatch(SRC.upload, /prerequisite checks run on upload/);
      assert.match(SRC.upload, /only copies the file/);
    });
  });
});
