// The test dependencies' cache: an entry is used only after it has been verified; a broken or half-done one is
// reinstalled with a message; an install that does not verify is never marked complete. And the inner npm of an
// install does not inherit the settings of the npm that runs the test command (the cause of code-server's
// "requires node v24 ... you are on node v20" on a fresh machine).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { capture, ensureEntry, npmInstallEnv } from '../../../test/harness/cache';

interface Fake {
  installs: number;
  verifies: number;
  works: boolean;
}

function fakeEntry(dir: string, fake: Fake) {
  return {
    what: 'the fake tool 1.0',
    dir,
    result: 'ready',
    async install() {
      fake.installs++;
      fs.writeFileSync(path.join(dir, 'tool'), 'x');
    },
    async verify() {
      fake.verifies++;
      if (!fs.existsSync(path.join(dir, 'tool'))) return 'tool is missing';
      return fake.works ? undefined : 'tool --version exited with 1';
    },
  };
}

describe('test dependency cache', () => {
  let root: string;
  let logs: string[];
  const log = (s: string) => logs.push(s);

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-cache-'));
    logs = [];
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('installs a missing entry, verifies it, and marks it complete only then', async () => {
    const fake = { installs: 0, verifies: 0, works: true };
    const dir = path.join(root, 'tool-1.0');
    assert.strictEqual(await ensureEntry(fakeEntry(dir, fake), log), 'ready');
    assert.deepStrictEqual([fake.installs, fake.verifies], [1, 1]);
    assert.ok(fs.existsSync(path.join(dir, '.backout-complete')));
    assert.ok(logs.some((l) => l.startsWith('Installing the fake tool 1.0')));
  });

  it('does not mark an install complete when it does not verify, and says what is wrong', async () => {
    const fake = { installs: 0, verifies: 0, works: false };
    const dir = path.join(root, 'tool-1.0');
    await assert.rejects(ensureEntry(fakeEntry(dir, fake), log), /the fake tool 1\.0 was installed into .* but does not work: tool --version exited with 1/);
    assert.ok(!fs.existsSync(path.join(dir, '.backout-complete')));
  });

  it('reinstalls a complete entry that no longer works, saying so', async () => {
    const dir = path.join(root, 'tool-1.0');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, '.backout-complete'), 'earlier');
    const fake = { installs: 0, verifies: 0, works: true };
    await ensureEntry(fakeEntry(dir, fake), log);
    assert.strictEqual(fake.installs, 1);
    assert.ok(logs.some((l) => /is broken \(tool is missing\); reinstalling it/.test(l)), logs.join('\n'));
  });

  it('reinstalls a folder left without its marker by an interrupted install, saying so', async () => {
    const dir = path.join(root, 'tool-1.0');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'half'), 'x');
    const fake = { installs: 0, verifies: 0, works: true };
    await ensureEntry(fakeEntry(dir, fake), log);
    assert.strictEqual(fake.installs, 1);
    assert.ok(!fs.existsSync(path.join(dir, 'half')), 'the half-done files are removed before installing');
    assert.ok(logs.some((l) => /left incomplete by an interrupted install/.test(l)), logs.join('\n'));
  });

  it('reuses a complete, working entry without installing, and verifies it once per process', async () => {
    const fake = { installs: 0, verifies: 0, works: true };
    const dir = path.join(root, 'tool-1.0');
    await ensureEntry(fakeEntry(dir, fake), log);
    await ensureEntry(fakeEntry(dir, fake), log);
    await ensureEntry(fakeEntry(dir, fake), log);
    assert.deepStrictEqual([fake.installs, fake.verifies], [1, 1]);
  });

  it('gives the inner npm none of the outer npm\'s settings but where packages come from and are cached', () => {
    const outer = {
      PATH: '/usr/bin',
      HOME: '/root',
      NODE: '/usr/bin/node',
      INIT_CWD: '/work/main',
      npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
      npm_config_nodedir: '/usr',
      npm_config_allow_scripts: '',
      npm_node_execpath: '/usr/bin/node',
      npm_lifecycle_event: 'test',
      npm_config_cache: '/tmp/ci-cache/npm',
      npm_config_registry: 'https://registry.example/',
    };
    const env = npmInstallEnv(outer, '/cache/node-24/bin');
    assert.deepStrictEqual(Object.keys(env).sort(), ['HOME', 'PATH', 'npm_config_cache', 'npm_config_registry']);
    assert.strictEqual(env.PATH, `/cache/node-24/bin${path.delimiter}/usr/bin`);
  });

  it('reports a program that cannot start as a failed check instead of throwing', async () => {
    const r = await capture(path.join(root, 'no-such-program'), ['--version'], process.env);
    assert.strictEqual(r.code, null);
    assert.match(r.stderr, /ENOENT/);
  });
});
