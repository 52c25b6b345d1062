import * as assert from 'assert';
import type { LocalAction, PlanDraft, Step } from '../../../src/core/plan';
import { planProblems, renderAction } from '../../../src/core/plan';
import { DowngradeInputError, ModuleSwapQuestionError, NoSuitableInstallerError, PackageProblemError } from '../../../src/procedures/dataminer/errors';
import { planPackageRoute, type PackageRouteInput } from '../../../src/procedures/dataminer/package-route';
import type { PackageInspection, PackageTool } from '../../../src/core/dataminer/package-tool';
import { decodeLine } from '../../../src/core/dataminer/windows-commands';
import { agent, code, dms, routeInput } from './helpers';

function input(from: string, to: string, over: Partial<PackageRouteInput> = {}): PackageRouteInput {
  return routeInput(from, to, over);
}

function ids(d: PlanDraft): string[] {
  return d.steps.map((s) => s.id);
}

function step(d: PlanDraft, id: string): Step {
  const s = d.steps.find((x) => x.id === id);
  assert.ok(s, `step ${id} in ${ids(d).join(', ')}`);
  return s;
}

function script(d: PlanDraft, id: string, instance: string): string {
  const a = step(d, id).instances.find((i) => i.instance === instance)?.action;
  assert.ok(a && a.kind === 'ssh', `${id}/${instance} is an ssh action`);
  return decodeLine(a.command) ?? '';
}

function inspection(path: string, version: string | undefined, nats: boolean): PackageInspection {
  return { path, sizeBytes: 10, ...(version ? { version, versionSource: 'file name' } : {}), hasVerifyNatsIsRunning: nats, entries: 2, updateZipEntries: 3 };
}

const three = (build: string): ReturnType<typeof dms> => dms([agent('dma-1', build), agent('dma-2', build), agent('dma-3', build)]);

describe('route B planner (downgrade with packages)', () => {
  describe('offline plans carry the decisions as top-level fields', () => {
    const table: Array<[string, string, string[], boolean]> = [
      ['10.4.0', '10.1.0', ['10.3.0', '10.2.0', '10.1.0'], false],
      ['10.2.0', '9.6.0', ['10.1.0', '10.0.0', '9.6.0'], false],
      ['10.3.9', '10.3.5', ['10.3.5'], true],
      ['10.3.8', '10.3.4', ['10.3.4'], true],
      ['10.3.12', '10.3.7', ['10.3.7'], true],
      ['10.4.1', '10.3.5', ['10.3.5'], true],
      ['10.3.7', '10.3.4', ['10.3.4'], false],
      ['10.3.9', '10.3.3', ['10.3.3'], false],
      ['10.4.1', '10.2.0', ['10.3.0', '10.2.0'], false],
    ];
    for (const [from, to, packages, swap] of table) {
      it(`${from} → ${to}: packages ${packages.join(', ')}, module swap ${swap ? 'yes' : 'no'}`, () => {
        const d = planPackageRoute(input(from, to));
        assert.deepStrictEqual(d.extra?.packages, packages);
        assert.strictEqual(d.extra?.moduleSwap, swap);
        assert.deepStrictEqual(planProblems(d.steps), []);
      });
    }
  });

  it('refuses a target that is not lower than the current version', () => {
    assert.throws(() => planPackageRoute(input('10.3.5', '10.3.9')), (e: Error) => e instanceof DowngradeInputError && /only downgrades/.test(e.message));
    assert.throws(() => planPackageRoute(input('10.3.5', '10.3.5')), DowngradeInputError);
  });

  it('puts the ambiguous 10.3.0 case to the user as a question when moduleSwap is auto', () => {
    assert.throws(() => planPackageRoute(input('10.3.9', '10.3.0')), (e: Error) => e instanceof ModuleSwapQuestionError && /10\.3\.0 \[CU5\]/.test(e.message) && /moduleSwap=yes/.test(e.message));
    assert.strictEqual(planPackageRoute(input('10.3.9', '10.3.0', { moduleSwap: 'yes' })).extra?.moduleSwap, true);
    assert.strictEqual(planPackageRoute(input('10.3.9', '10.3.0', { moduleSwap: 'no' })).extra?.moduleSwap, false);
  });

  it('warns when the required swap is turned off', () => {
    const d = planPackageRoute(input('10.3.9', '10.3.5', { moduleSwap: 'no' }));
    assert.strictEqual(d.extra?.moduleSwap, false);
    assert.ok(d.warnings?.some((w) => /required/.test(w)));
  });

  it('installs each package on the whole cluster from the first Agent with an UpgradeInfo.xml listing every Agent', () => {
    const d = planPackageRoute(input('10.3.9', '10.3.5', { facts: three('10.3.9.0-13201-20230830-release'), packages: [{ where: 'agent', path: 'C:\\Pk\\dm 10.3.5.dmupgrade' }] }));
    assert.deepStrictEqual(step(d, 'upgrade-p1').instances.map((i) => i.instance), ['dma-1']);
    const info = script(d, 'write-upgrade-info-p1', 'dma-1');
    assert.match(info, /<IP>10\.0\.0\.1<\/IP>\s*<IP>10\.0\.0\.2<\/IP>\s*<IP>10\.0\.0\.3<\/IP>/);
    assert.match(info, /<IsCluster>true<\/IsCluster>/);
    assert.deepStrictEqual(step(d, 'verify-version-p1').instances.map((i) => i.instance), ['dma-1', 'dma-2', 'dma-3']);
  });

  it('with upgradeScope each-agent runs the upgrade on every Agent at once, each for itself', () => {
    const d = planPackageRoute(input('10.3.9', '10.3.5', { facts: three('10.3.9.0-13201-20230830-release'), packages: [{ where: 'agent', path: 'C:\\Pk\\x.dmupgrade' }], upgradeScope: 'each-agent' }));
    const s = step(d, 'upgrade-p1');
    assert.deepStrictEqual(s.instances.map((i) => i.instance), ['dma-1', 'dma-2', 'dma-3']);
    assert.strictEqual(s.concurrency, 3);
    assert.match(script(d, 'write-upgrade-info-p1', 'dma-2'), /<Agents>\s*<IP>10\.0\.0\.2<\/IP>\s*<\/Agents>\s*<IsCluster>false/);
  });

  it('marks the upgrade destructive and not idempotent, reads idempotent, and gives every ssh step a source', () => {
    const d = planPackageRoute(input('10.3.9', '10.3.5', { facts: three('10.3.9.0-13201-20230830-release'), packages: [{ where: 'agent', path: 'C:\\Pk\\x.dmupgrade' }] }));
    assert.strictEqual(step(d, 'upgrade-p1').destructive, true);
    assert.strictEqual(step(d, 'upgrade-p1').idempotent, false);
    assert.strictEqual(step(d, 'check-package-p1').idempotent, true);
    assert.strictEqual(step(d, 'swap-check-modules').destructive, false);
    for (const s of d.steps) assert.ok(s.source.length > 20, `${s.id} has a source`);
  });

  it('swaps modules per Agent: uninstall what is installed (destructive, not idempotent, verified), reinstall the highest allowed installer', () => {
    const d = planPackageRoute(input('10.3.9', '10.3.5', { facts: three('10.3.9.0-13201-20230830-release'), packages: [{ where: 'agent', path: 'C:\\Pk\\x.dmupgrade' }] }));
    assert.deepStrictEqual(
      ids(d).filter((i) => i.startsWith('swap-')),
      ['swap-stop-dataminer', 'swap-check-modules', 'swap-uninstall-storagemodule', 'swap-uninstall-udapi', 'swap-install-storagemodule', 'swap-install-udapi', 'swap-start-dataminer'],
    );
    const un = step(d, 'swap-uninstall-storagemodule');
    assert.strictEqual(un.destructive, true);
    assert.strictEqual(un.idempotent, false);
    assert.match(script(d, 'swap-uninstall-storagemodule', 'dma-2'), new RegExp(`'/x', '${code(1).replace(/[{}]/g, '\\$&')}'`));
    const verify = un.instances[0]?.verify;
    assert.ok(verify?.expectOutput);
    assert.ok(!new RegExp(verify.expectOutput, 'm').test(`"DisplayName","DisplayVersion","PSChildName"\n"DataMiner StorageModule","3.0.3","${code(1)}"`), 'still installed fails');
    assert.ok(new RegExp(verify.expectOutput, 'm').test(`"DisplayName","DisplayVersion","PSChildName"\n"Other","1","{X}"`), 'removed passes');
    assert.match(script(d, 'swap-install-storagemodule', 'dma-1'), /ModuleInstallers\\DataMiner StorageModule 1\.0\.1\.msi/);
    assert.match(script(d, 'swap-install-udapi', 'dma-1'), /ModuleInstallers\\DataMiner UserDefinableApiEndpoint 1\.1\.1\.msi/);
    assert.ok(ids(d).indexOf('swap-stop-dataminer') > ids(d).indexOf('wait-upgrade-p1'), 'the swap waits for the downgrade to complete');
  });

  it('does not uninstall a module an Agent does not have', () => {
    const facts = dms([
      agent('dma-1', '10.3.9.0-1-20230830-release'),
      agent('dma-2', '10.3.9.0-1-20230830-release', { modules: [{ module: 'DataMiner StorageModule', version: '1.0.1', productCode: code(5) }] }),
    ]);
    const d = planPackageRoute(input('10.3.9', '10.3.5', { facts, packages: [{ where: 'agent', path: 'C:\\Pk\\x.dmupgrade' }] }));
    assert.deepStrictEqual(step(d, 'swap-uninstall-storagemodule').instances.map((i) => i.instance), ['dma-1']);
    assert.deepStrictEqual(step(d, 'swap-install-storagemodule').instances.map((i) => i.instance), ['dma-1', 'dma-2']);
  });

  it('refuses before any change when an Agent has no suitable installer, naming the Agent and its address', () => {
    const facts = dms([
      agent('dma-1', '10.3.9.0-1-20230830-release'),
      agent('dma-2', '10.3.9.0-1-20230830-release', { installers: ['DataMiner StorageModule 3.0.3.msi', 'DataMiner UserDefinableApiEndpoint 1.1.1.msi'] }),
    ]);
    assert.throws(
      () => planPackageRoute(input('10.3.9', '10.3.5', { facts, packages: [{ where: 'agent', path: 'C:\\Pk\\x.dmupgrade' }] })),
      (e: Error) => e instanceof NoSuitableInstallerError && /Agent dma-2 \(10\.0\.0\.2\)/.test(e.message) && /StorageModule 1\.0\.1 or lower/.test(e.message) && /Nothing was changed/.test(e.message),
    );
  });

  it('asks for the packages when planning against a DMS without them, and refuses a wrong count', () => {
    assert.throws(() => planPackageRoute(input('10.4.1', '10.2.0', { facts: three('10.4.1.0-1-20240101-release') })), /10\.3\.0, 10\.2\.0/);
    assert.throws(() => planPackageRoute(input('10.4.1', '10.2.0', { packages: [{ where: 'local', path: '/p/a.dmupgrade' }], inspections: { '/p/a.dmupgrade': inspection('/p/a.dmupgrade', undefined, false) } })), /installs 2 packages/);
  });

  it('refuses a package whose contents reveal another version than its place in the sequence', () => {
    const p = '/p/DataMiner 10.2.0.dmupgrade';
    const q = '/p/DataMiner 10.3.0.dmupgrade';
    assert.throws(
      () => planPackageRoute(input('10.4.1', '10.2.0', { packages: [{ where: 'local', path: p }, { where: 'local', path: q }], inspections: { [p]: inspection(p, '10.2.0', false), [q]: inspection(q, '10.3.0', false) } })),
      (e: Error) => e instanceof PackageProblemError && /must install 10\.3\.0/.test(e.message),
    );
  });

  it('refuses a package on the Agents that an Agent running the upgrade lacks (each-agent: any; cluster: the first)', () => {
    const facts = three('10.3.9.0-1-20230830-release');
    const packages: PackageRouteInput['packages'] = [{ where: 'agent', path: 'C:\\Pk\\x.dmupgrade' }];
    (facts.agents[2] as { packagesPresent?: Record<string, boolean> }).packagesPresent = { 'C:\\Pk\\x.dmupgrade': false };
    assert.throws(() => planPackageRoute(input('10.3.9', '10.3.5', { facts, packages, upgradeScope: 'each-agent' })), /not on Agent dma-3 \(10\.0\.0\.3\)/);
    assert.doesNotThrow(() => planPackageRoute(input('10.3.9', '10.3.5', { facts, packages })), 'a cluster upgrade runs on dma-1 only');
    (facts.agents[0] as { packagesPresent?: Record<string, boolean> }).packagesPresent = { 'C:\\Pk\\x.dmupgrade': false };
    assert.throws(() => planPackageRoute(input('10.3.9', '10.3.5', { facts, packages })), /not on Agent dma-1 \(10\.0\.0\.1\)/);
  });

  describe('the VerifyNatsIsRunning fix (known issue: a package before 10.4.0/10.4.3 installed while the DMA runs 10.4.0/10.4.3 or later)', () => {
    const local = (versions: string[], nats = true): Partial<PackageRouteInput> => {
      const paths = versions.map((v) => `/pk/DataMiner ${v}.dmupgrade`);
      return {
        packages: paths.map((path) => ({ where: 'local' as const, path })),
        inspections: Object.fromEntries(paths.map((path, i) => [path, inspection(path, versions[i] as string, nats)])),
      };
    };
    const fixIds = (d: PlanDraft): string[] => ids(d).filter((id) => id.startsWith('fix-package-'));
    const mentionsNats = (d: PlanDraft): boolean =>
      (d.warnings ?? []).some((w) => /VerifyNatsIsRunning/.test(w)) || d.steps.some((st) => /VerifyNatsIsRunning/.test(`${st.title} ${st.source}`));

    it('10.5.0 → 10.3.4: fixes the 10.3.4 package (installed while the DMA runs 10.4.0), not the 10.4.0 one', () => {
      const d = planPackageRoute(input('10.5.0', '10.3.4', { moduleSwap: 'no', ...local(['10.4.0', '10.3.4']) }));
      assert.deepStrictEqual(fixIds(d), ['fix-package-p2']);
      assert.deepStrictEqual((step(d, 'fix-package-p2').instances[0]?.action as LocalAction).argv, ['fix', '/pk/DataMiner 10.3.4.dmupgrade', '/pk/DataMiner 10.3.4.without-VerifyNatsIsRunning.dmupgrade']);
      assert.deepStrictEqual(d.extra?.natsFix, ['10.3.4']);
      const upload = step(d, 'upload-package-p2').instances[0];
      assert.ok(upload?.action.kind === 'ssh');
      assert.strictEqual(upload.action.upload?.localPath, '/pk/DataMiner 10.3.4.without-VerifyNatsIsRunning.dmupgrade');
      assert.strictEqual((step(d, 'upload-package-p1').instances[0]?.action as { upload?: { localPath: string } }).upload?.localPath, '/pk/DataMiner 10.4.0.dmupgrade');
    });

    it('10.4.0 [CU3] → 10.3.0 fixes the one package; a fixed copy is uploaded whose size is only known at run time', () => {
      const d = planPackageRoute(input('10.4.0 [CU3]', '10.3.0', { moduleSwap: 'no', ...local(['10.3.0']) }));
      assert.deepStrictEqual(fixIds(d), ['fix-package-p1']);
      const upload = step(d, 'upload-package-p1').instances[0];
      const expect = new RegExp(upload?.verify?.expectOutput ?? '', 'm');
      assert.ok(expect.test('"Name","Length"\n"DataMiner 10.3.0.without-VerifyNatsIsRunning.dmupgrade","123456"'));
      assert.ok(!expect.test('"Name","Length"\n"DataMiner 10.3.0.without-VerifyNatsIsRunning.dmupgrade","0"'));
      assert.strictEqual(d.extra?.prerequisiteFix, true);
    });

    for (const [from, to, versions] of [
      ['10.5.0', '10.4.0', ['10.4.0']],
      ['10.4.5', '10.4.3', ['10.4.3']],
      ['10.5.8', '10.5.6', ['10.5.6']],
      ['10.4.1', '10.2.0', ['10.3.0', '10.2.0']],
      ['10.3.9', '10.2.0', ['10.2.0']],
    ] as Array<[string, string, string[]]>) {
      it(`${from} → ${to}: no package is changed and the plan does not mention VerifyNatsIsRunning`, () => {
        const d = planPackageRoute(input(from, to, { moduleSwap: 'no', ...local(versions) }));
        assert.deepStrictEqual(fixIds(d), []);
        assert.deepStrictEqual(d.extra?.natsFix, []);
        assert.strictEqual(mentionsNats(d), false, JSON.stringify(d.warnings));
      });
    }

    it('is not made for a package without the DLL, nor with fixPrerequisite=no (then a warning naming the package)', () => {
      assert.deepStrictEqual(fixIds(planPackageRoute(input('10.5.0', '10.3.4', { moduleSwap: 'no', ...local(['10.4.0', '10.3.4'], false) }))), []);
      const no = planPackageRoute(input('10.5.0', '10.3.4', { moduleSwap: 'no', fixPrerequisite: 'no', ...local(['10.4.0', '10.3.4']) }));
      assert.deepStrictEqual(fixIds(no), []);
      assert.ok(no.warnings?.some((w) => /DataMiner 10\.3\.4\.dmupgrade contains .*VerifyNatsIsRunning.*while the DMA runs 10\.4\.0/.test(w)), JSON.stringify(no.warnings));
    });

    it('an offline plan without the files says which package will need the fixed copy', () => {
      const d = planPackageRoute(input('10.5.0', '10.3.4', { moduleSwap: 'no', tool: undefined as unknown as PackageTool, facts: undefined }));
      assert.deepStrictEqual(d.extra?.natsFix, ['10.3.4']);
      assert.ok(d.warnings?.some((w) => /the 10\.3\.4 package \(installed while the DMA runs 10\.4\.0\)/.test(w)), JSON.stringify(d.warnings));
      assert.ok(!d.warnings?.some((w) => /the 10\.4\.0 package/.test(w)));
    });
  });

  describe('the upload of a local package', () => {
    const p = '/pk/DataMiner 10.3.5.dmupgrade';
    const local = (over: Partial<PackageRouteInput> = {}): PlanDraft =>
      planPackageRoute(input('10.3.9', '10.3.5', { facts: three('10.3.9.0-1-20230830-release'), moduleSwap: 'no', packages: [{ where: 'local', path: p }], inspections: { [p]: inspection(p, '10.3.5', false) }, ...over }));

    it('sends the file over the SSH connection of the Agent that runs the upgrade, into the Upgrades folder it first makes sure of', () => {
      const s = step(local(), 'upload-package-p1');
      assert.strictEqual(s.kind, 'ssh');
      assert.strictEqual(s.idempotent, true);
      assert.strictEqual(s.destructive, false);
      assert.deepStrictEqual(s.instances.map((i) => i.instance), ['dma-1']);
      const action = s.instances[0]?.action;
      assert.ok(action?.kind === 'ssh');
      assert.strictEqual(action.host, 'dma-1');
      assert.deepStrictEqual(action.upload, { localPath: p, remotePath: '/C:/Skyline DataMiner/Upgrades/DataMiner 10.3.5.dmupgrade' });
      assert.match(decodeLine(action.command) ?? '', /New-Item -ItemType Directory -Force -Path 'C:\\Skyline DataMiner\\Upgrades'/);
    });

    it('uploads to every Agent when each Agent runs its own upgrade', () => {
      const s = step(local({ upgradeScope: 'each-agent' }), 'upload-package-p1');
      assert.deepStrictEqual(s.instances.map((i) => (i.action.kind === 'ssh' ? i.action.host : '')), ['dma-1', 'dma-2', 'dma-3']);
    });

    it('verifies the file on the Agent has the name and exactly the size of the package that was checked', () => {
      const inst = step(local(), 'upload-package-p1').instances[0];
      assert.ok(inst?.verify?.action.kind === 'ssh');
      assert.match(decodeLine(inst.verify.action.command) ?? '', /Get-ChildItem -LiteralPath 'C:\\Skyline DataMiner\\Upgrades' -File -Filter 'DataMiner 10\.3\.5\.dmupgrade' \| Select-Object Name, Length \| ConvertTo-Csv -NoTypeInformation/);
      const expect = new RegExp(inst.verify.expectOutput ?? '', 'm');
      assert.ok(expect.test('"Name","Length"\r\n"DataMiner 10.3.5.dmupgrade","10"\r'));
      assert.ok(!expect.test('"Name","Length"\n"DataMiner 10.3.5.dmupgrade","9"'), 'a partial file fails');
      assert.ok(!expect.test('"Name","Length"\n"DataMiner 10.3.5.dmupgrade","100"'));
      assert.ok(!expect.test('"Name","Length"\n"DataMiner 10X3.5.dmupgrade","10"'), 'the name is matched literally');
      assert.ok(!expect.test(''), 'an absent file fails');
    });

    it('renders the upload in the dry run as sftp put to the Agent', () => {
      const action = step(local(), 'upload-package-p1').instances[0]?.action;
      assert.ok(action !== undefined);
      assert.match(renderAction(action), /\nsftp put '\/pk\/DataMiner 10\.3\.5\.dmupgrade' → dma-1:'\/C:\/Skyline DataMiner\/Upgrades\/DataMiner 10\.3\.5\.dmupgrade'$/);
    });

    it('makes a plan the engine accepts', () => {
      assert.deepStrictEqual(planProblems(local().steps), []);
    });
  });

  it('follows the upgrade until completed and fails early on a failed prerequisite check', () => {
    const d = planPackageRoute(input('10.3.9', '10.3.5'));
    const wait = step(d, 'wait-upgrade-p1').instances[0]?.action;
    assert.ok(wait?.kind === 'wait');
    assert.ok(new RegExp(wait.succeedWhenOutputMatches ?? '', 'm').test('2024-01-01 10:00:00 Upgrade completed'));
    assert.ok(new RegExp(wait.failWhenOutputMatches ?? '', 'm').test('2024-01-01 10:00:00 Prerequisite check VerifyNatsIsRunning failed. The upgrade was aborted.'));
    assert.ok(!new RegExp(wait.failWhenOutputMatches ?? '', 'm').test('2024-01-01 10:00:00 Starting up (45%)'));
  });

  it('acknowledges the warnings first and ends with the web apps and Credentials Library steps', () => {
    const d = planPackageRoute(input('10.3.9', '10.3.5'));
    assert.strictEqual(ids(d)[0], 'acknowledge-warnings');
    assert.deepStrictEqual(ids(d).slice(-2), ['restore-web-apps', 'check-credentials-library']);
    assert.ok(d.warnings?.some((w) => /[Dd]ashboards and low-code apps/.test(w)));
    assert.ok(d.warnings?.some((w) => /Library\.xml/.test(w)));
  });
});
