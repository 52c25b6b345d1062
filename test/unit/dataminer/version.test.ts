import * as assert from 'assert';
import { compareVersions, formatVersion, parseVersion, releaseKind, VersionError } from '../../../src/procedures/dataminer/version';

describe('DataMiner versions', () => {
  const cases: Array<[string, { major: number; minor: number; release: number; cu: number }, 'main' | 'feature']> = [
    ['10.3.8', { major: 10, minor: 3, release: 8, cu: 0 }, 'feature'],
    ['10.3.0 [CU5]', { major: 10, minor: 3, release: 0, cu: 5 }, 'main'],
    ['10.3.0 CU5', { major: 10, minor: 3, release: 0, cu: 5 }, 'main'],
    ['10.3.0[CU5]', { major: 10, minor: 3, release: 0, cu: 5 }, 'main'],
    ['10.3.9_CU1', { major: 10, minor: 3, release: 9, cu: 1 }, 'feature'],
    ['10.3.9 [CU1]', { major: 10, minor: 3, release: 9, cu: 1 }, 'feature'],
    ['9.6.0', { major: 9, minor: 6, release: 0, cu: 0 }, 'main'],
    ['10.3.0.14', { major: 10, minor: 3, release: 0, cu: 14 }, 'main'],
    ['10.4.0.0-14772-20240821-release', { major: 10, minor: 4, release: 0, cu: 0 }, 'main'],
    ['10.5.4.0-15588-20250319-release', { major: 10, minor: 5, release: 4, cu: 0 }, 'feature'],
    ['  10.2.0  ', { major: 10, minor: 2, release: 0, cu: 0 }, 'main'],
  ];
  for (const [input, expected, kind] of cases) {
    it(`parses "${input.trim()}" as ${kind} release ${expected.major}.${expected.minor}.${expected.release} CU${expected.cu}`, () => {
      const v = parseVersion(input);
      assert.deepStrictEqual({ major: v.major, minor: v.minor, release: v.release, cu: v.cu }, expected);
      assert.strictEqual(releaseKind(v), kind);
    });
  }

  it('keeps the build number and date of a build string', () => {
    const v = parseVersion('10.4.0.0-14772-20240821-release');
    assert.strictEqual(v.build, 14772);
    assert.strictEqual(v.date, '2024-08-21');
  });

  for (const garbage of ['', 'ten', '10.3', '10.3.x', '10.3.8.1.2', 'v10.3.8', '10.3.8 [CU]', '10.3.99', '3.1.0', '10.3.0.5 [CU6]']) {
    it(`refuses "${garbage}" with a message naming it and the accepted forms`, () => {
      assert.throws(() => parseVersion(garbage), (err: unknown) => {
        assert.ok(err instanceof VersionError);
        if (garbage.trim()) assert.ok(err.message.includes(garbage.trim()), err.message);
        assert.match(err.message, /10\.3\.8|check the version|cumulative update|feature releases/);
        return true;
      });
    });
  }

  it('orders main-release CUs before the feature releases of the same major', () => {
    const sorted = ['10.3.8', '10.3.0 [CU5]', '10.4.0', '10.3.1', '9.6.0', '10.3.9_CU1', '10.3.9', '10.3.0']
      .map(parseVersion)
      .sort(compareVersions)
      .map(formatVersion);
    assert.deepStrictEqual(sorted, ['9.6.0', '10.3.0', '10.3.0 [CU5]', '10.3.1', '10.3.8', '10.3.9', '10.3.9 CU1', '10.4.0']);
  });

  it('treats builds of the same version as equal', () => {
    assert.strictEqual(compareVersions(parseVersion('10.4.0.0-14772-20240821-release'), parseVersion('10.4.0')), 0);
  });
});
