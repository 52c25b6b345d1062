import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveHost } from '../../../src/adapters/ssh/ssh-config';
import { detectShell } from '../../../src/core/dataminer/windows-commands';
import { labPool } from './helpers';
import { sharedLab, tempDir } from './lab';

describe('SSH config aliases against real sshds', () => {
  it('connects by an alias defined in an included file with Host patterns, HostName, User, Port, IdentityFile, IdentitiesOnly', async () => {
    const lab = await sharedLab();
    const agent = lab.agent('dma-08');
    const home = tempDir('sshcfg');
    fs.mkdirSync(path.join(home, '.ssh', 'conf.d'), { recursive: true });
    fs.copyFileSync(lab.clientKeyPath, path.join(home, '.ssh', 'lab_key'));
    fs.writeFileSync(path.join(home, '.ssh', 'config'), ['Include conf.d/*.conf', '', 'Host *', '  User nobody-by-default', '  Port 22', ''].join('\n'));
    fs.writeFileSync(
      path.join(home, '.ssh', 'conf.d', 'dms.conf'),
      ['Host prod-dma-?? !prod-dma-99', `  HostName 127.0.0.1`, `  User ${agent.user}`, `  Port ${agent.port}`, '  IdentityFile ~/.ssh/lab_key', '  IdentitiesOnly yes', ''].join('\n'),
    );
    const endpoint = resolveHost('prod-dma-08', { homeDir: home, localUser: 'tester' });
    assert.deepEqual(
      { host: endpoint.host, port: endpoint.port, user: endpoint.user, identityFiles: endpoint.identityFiles, identitiesOnly: endpoint.identitiesOnly, jumps: endpoint.jumps },
      { host: '127.0.0.1', port: agent.port, user: agent.user, identityFiles: [path.join(home, '.ssh', 'lab_key')], identitiesOnly: true, jumps: [] },
    );
    const r = await labPool(lab, home).exec(endpoint, detectShell().line);
    assert.equal(r.stdout.trim(), 'Windows_NT');
  });

  it('reaches an Agent through a ProxyJump chain of two hops over a second sshd', async () => {
    const lab = await sharedLab();
    const agent = lab.agent('dma-09');
    const jump = lab.jumpHost;
    assert.ok(jump !== undefined);
    const home = tempDir('sshcfg');
    fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.ssh', 'config'),
      [
        'Host bastion-a bastion-b',
        '  HostName 127.0.0.1',
        `  Port ${jump.port}`,
        `  User ${jump.user}`,
        `  IdentityFile ${lab.clientKeyPath}`,
        'Host dma-behind',
        '  HostName 127.0.0.1',
        `  Port ${agent.port}`,
        `  User ${agent.user}`,
        `  IdentityFile ${lab.clientKeyPath}`,
        '  ProxyJump bastion-a,bastion-b',
        '',
      ].join('\n'),
    );
    const endpoint = resolveHost('dma-behind', { homeDir: home });
    assert.equal(endpoint.jumps.length, 2);
    const before = fs.readFileSync(path.join(lab.dir, 'jump', 'sshd.log'), 'utf8').split('\n').filter((l) => /Accepted publickey/.test(l)).length;
    const r = await labPool(lab, home).exec(endpoint, detectShell().line);
    assert.equal(r.stdout.trim(), 'Windows_NT');
    const after = fs.readFileSync(path.join(lab.dir, 'jump', 'sshd.log'), 'utf8').split('\n').filter((l) => /Accepted publickey/.test(l)).length;
    assert.equal(after - before, 2, 'both hops authenticated at the jump host');
  });
});
