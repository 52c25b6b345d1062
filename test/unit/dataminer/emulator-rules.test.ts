// The Agent emulator's own reading of the vendor's rules (lab/agent/emulator/versions.ts), written apart from the
// procedure's: here both are held to the documents' cases, and to each other over every version of 10.2–10.6.
import * as assert from 'assert';
import { readUpgradeInfo } from '../../../lab/agent/emulator/dataminer';
import { carriesVerifyNatsIsRunning as labCarries, compareLab, labVersion, usesMessageBrokerNuget as labNuget } from '../../../lab/agent/emulator/versions';
import { buildString, labPackage } from '../../../lab/agent/seed';
import { carriesVerifyNatsIsRunning, meetsNatsKnownIssue, usesMessageBrokerNuget } from '../../../src/procedures/dataminer/nats-prerequisite';
import { parseVersion } from '../../../src/procedures/dataminer/version';
import { upgradeInfoXml } from '../../../src/core/dataminer/windows-commands';

const VERSIONS: string[] = [];
for (const minor of [2, 3, 4, 5, 6]) {
  for (let release = 0; release <= 12; release++) {
    if (release === 0) for (const cu of [0, 1, 2, 13, 14, 15]) VERSIONS.push(cu === 0 ? `10.${minor}.0` : `10.${minor}.0 [CU${cu}]`);
    else VERSIONS.push(`10.${minor}.${release}`);
  }
}

describe('the Agent emulator reads the vendor as the procedure does', () => {
  it('agrees on which versions run without SLMessageBroker.dll (10.4.0/10.4.3 on) and which packages carry VerifyNatsIsRunning', () => {
    for (const v of VERSIONS) {
      assert.strictEqual(labNuget(labVersion(v)), usesMessageBrokerNuget(parseVersion(v)), `NuGet ${v}`);
      assert.strictEqual(labCarries(labVersion(v)), carriesVerifyNatsIsRunning(parseVersion(v)), `carries ${v}`);
    }
  });

  it('places the documents\' boundaries where they say', () => {
    const nuget = (v: string): boolean => labNuget(labVersion(v));
    assert.deepStrictEqual(['10.3.12', '10.4.0', '10.4.1', '10.4.2', '10.4.3', '10.5.0'].map(nuget), [false, true, false, false, true, true]);
    const carries = (v: string): boolean => labCarries(labVersion(v));
    assert.deepStrictEqual(['10.2.0 [CU13]', '10.2.0 [CU14]', '10.2.6', '10.2.7', '10.5.0', '10.5.0 [CU1]', '10.5.3', '10.5.4'].map(carries), [false, true, false, true, true, false, true, false]);
  });

  it('gives the vendor\'s packages their NATS check: 10.3.4 VerifyNatsIsRunning, 10.5.4 VerifyNatsCluster', () => {
    assert.ok((JSON.parse(labPackage('10.3.4')) as { prerequisites: string[] }).prerequisites.includes('VerifyNatsIsRunning'));
    const later = (JSON.parse(labPackage('10.5.4')) as { prerequisites: string[] }).prerequisites;
    assert.ok(later.includes('VerifyNatsCluster') && !later.includes('VerifyNatsIsRunning'));
  });

  it('meets the known issue only for the first package below the line in 10.5.0 → 10.3.4', () => {
    assert.strictEqual(meetsNatsKnownIssue(parseVersion('10.5.0'), parseVersion('10.4.0')), false);
    assert.strictEqual(meetsNatsKnownIssue(parseVersion('10.4.0'), parseVersion('10.3.4')), true);
  });

  it('writes build strings with -CUn for main-release CUs and reads the CU only from there', () => {
    assert.match(buildString('10.3.0 [CU10]'), /^10\.3\.0\.0-\d+-CU10$/);
    assert.strictEqual(labVersion(buildString('10.3.0 [CU10]')).cu, 10);
    assert.strictEqual(labVersion('10.3.0.5-13005-20230101-release').cu, 0, 'the fourth number is not the CU');
    assert.ok(compareLab(labVersion(buildString('10.3.0 [CU5]')), labVersion(buildString('10.3.0 [CU10]'))) < 0);
  });

  it('reads the UpgradeInfo.xml Backout writes: the Agents\' addresses and IsCluster', () => {
    const xml = upgradeInfoXml({ agents: ['127.0.0.11', '127.0.0.12'], isCluster: true, extractAllFiles: false, delayedStart: false, automaticStartServices: true, stopSnmp: false, rebootAfterUpgrade: false, failoverPolicy: 'Simultaneously' });
    assert.deepStrictEqual(readUpgradeInfo(`\uFEFF${xml}`), { ips: ['127.0.0.11', '127.0.0.12'], isCluster: true });
    assert.strictEqual(readUpgradeInfo('<x/>'), undefined);
  });
});
