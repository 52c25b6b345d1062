import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SshConfigError } from '../../../src/adapters/ssh/errors';
import { listHostAliases, parseJumpSpec, resolveHost } from '../../../src/adapters/ssh/ssh-config';

describe('SSH config resolution', () => {
  let home: string;
  const write = (rel: string, lines: string[]): void => {
    fs.mkdirSync(path.dirname(path.join(home, rel)), { recursive: true });
    fs.writeFileSync(path.join(home, rel), lines.join('\n') + '\n');
  };
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-sshcfg-'));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it('takes the first value of each option, as ssh does, across Include files and Host patterns', () => {
    write('.ssh/config', ['Include ~/.ssh/dms/*.conf', 'Host *', '  User fallback', '  Port 2200']);
    write('.ssh/dms/a.conf', ['Host dma-*', '  HostName %h.prod.example.com', '  User svc-backout', '  IdentityFile ~/.ssh/id_dms', '  IdentityFile %d/.ssh/id_%r']);
    const e = resolveHost('dma-01', { homeDir: home, localUser: 'me' });
    assert.equal(e.host, 'dma-01.prod.example.com');
    assert.equal(e.user, 'svc-backout');
    assert.equal(e.port, 2200);
    assert.deepEqual(e.identityFiles, [path.join(home, '.ssh', 'id_dms'), path.join(home, '.ssh', 'id_svc-backout')]);
    assert.equal(e.identitiesOnly, false);
  });

  it('lets inventory overrides win over the config', () => {
    write('.ssh/config', ['Host x', '  User a', '  Port 22']);
    const e = resolveHost('x', { homeDir: home }, { user: 'b', port: 2022 });
    assert.deepEqual([e.user, e.port], ['b', 2022]);
  });

  it('resolves each ProxyJump hop through the config, including the hop own jumps', () => {
    write('.ssh/config', ['Host edge', '  HostName 192.0.2.1', '  User jump', 'Host inner', '  HostName 10.1.0.1', '  ProxyJump edge', 'Host dma', '  HostName 10.2.0.5', '  ProxyJump inner,ops@10.3.0.1:2222']);
    const e = resolveHost('dma', { homeDir: home, localUser: 'me' });
    assert.deepEqual(e.jumps.map((j) => `${j.user}@${j.host}:${j.port}`), ['jump@192.0.2.1:22', 'me@10.1.0.1:22', 'ops@10.3.0.1:2222']);
  });

  it('refuses ProxyCommand and jump loops with the config file named', () => {
    write('.ssh/config', ['Host pc', '  ProxyCommand nc %h %p', 'Host loop', '  ProxyJump loop']);
    assert.throws(() => resolveHost('pc', { homeDir: home }), (err: unknown) => err instanceof SshConfigError && /ProxyCommand is not supported/.test(err.message) && err.message.includes(home));
    assert.throws(() => resolveHost('loop', { homeDir: home }), SshConfigError);
  });

  it('never runs Match exec commands', () => {
    const marker = path.join(home, 'ran');
    write('.ssh/config', [`Match exec "touch ${marker}"`, '  User matched', 'Host *', '  User plain']);
    resolveHost('x', { homeDir: home });
    assert.equal(fs.existsSync(marker), false);
  });

  it('lists concrete aliases, not patterns', () => {
    write('.ssh/config', ['Host dma-01 dma-02', 'Host dma-*', 'Host !bad other']);
    assert.deepEqual(listHostAliases({ homeDir: home }), ['dma-01', 'dma-02', 'other']);
  });

  it('parses jump specs with user, port and IPv6', () => {
    assert.deepEqual(parseJumpSpec('ops@[2001:db8::1]:2222'), { user: 'ops', host: '2001:db8::1', port: 2222 });
    assert.deepEqual(parseJumpSpec('bastion'), { host: 'bastion' });
  });

  it('treats a missing config file as empty', () => {
    const e = resolveHost('10.0.0.5', { homeDir: home, localUser: 'me' });
    assert.deepEqual([e.host, e.user, e.port, e.jumps.length], ['10.0.0.5', 'me', 22, 0]);
  });
});
