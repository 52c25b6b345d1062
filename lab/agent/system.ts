// Machine-level preparation for the Agent lab (runs as root): test users created idempotently with useradd, the
// shared login-shell wrapper, /run/sshd. Nothing here touches ~/.ssh, /etc/ssh or the system sshd.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SHELL_WRAPPER = '/usr/local/lib/backout-lab/agent-shell';
export const SSHD = '/usr/sbin/sshd';

/**
 * The login shell of every lab user. sshd passes the Agent's folder and the emulator's location through SetEnv in
 * that Agent's own sshd_config, so one wrapper serves every lab and every checkout.
 */
const WRAPPER = `#!/bin/sh
# Backout Agent lab: login shell of emulated DataMiner Agents (see lab/agent in the Backout repository).
if [ -z "$BACKOUT_AGENT_DIR" ] || [ -z "$BACKOUT_EMULATOR" ]; then
  echo "This account is a Backout lab Agent; it only works through a lab sshd." >&2
  exit 1
fi
exec "\${BACKOUT_NODE:-node}" "$BACKOUT_EMULATOR" --agent-dir "$BACKOUT_AGENT_DIR" "$@"
`;

export function ensureRoot(): void {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error('The Agent lab creates test users and starts sshd as root: run it as root (CI and these machines do).');
  }
  if (!fs.existsSync(SSHD)) throw new Error(`${SSHD} is missing: apt-get install -y openssh-server openssh-client`);
}

export function ensureShellWrapper(): void {
  fs.mkdirSync(path.dirname(SHELL_WRAPPER), { recursive: true, mode: 0o755 });
  if (!fs.existsSync(SHELL_WRAPPER) || fs.readFileSync(SHELL_WRAPPER, 'utf8') !== WRAPPER) {
    fs.writeFileSync(SHELL_WRAPPER + '.tmp', WRAPPER, { mode: 0o755 });
    fs.renameSync(SHELL_WRAPPER + '.tmp', SHELL_WRAPPER);
  }
  // sshd (as root, with privilege separation) needs this folder.
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
}

export interface LabUser {
  name: string;
  uid: number;
  gid: number;
}

function lookup(name: string): LabUser | undefined {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (line === undefined) return undefined;
  const f = line.split(':');
  return { name, uid: Number(f[2]), gid: Number(f[3]) };
}

/**
 * Creates (or repairs) a lab user: home under /var/lib/backout-lab/home, the given login shell, and an unlocked
 * account (sshd with UsePAM no refuses locked ones). `password` sets a real password for password-auth tests.
 */
export function ensureUser(name: string, shell: string, password?: string): LabUser {
  if (!/^bk[a-z0-9-]{1,28}$/.test(name)) throw new Error(`lab user names start with "bk": ${name}`);
  const home = `/var/lib/backout-lab/home/${name}`;
  fs.mkdirSync(path.dirname(home), { recursive: true });
  if (lookup(name) === undefined) {
    try {
      execFileSync('useradd', ['--create-home', '--home-dir', home, '--shell', shell, '--user-group', name], { stdio: 'pipe' });
    } catch (err) {
      // Another lab created it meanwhile.
      if (lookup(name) === undefined) throw err;
    }
  }
  execFileSync('usermod', ['--shell', shell, name], { stdio: 'pipe' });
  if (password === undefined) execFileSync('usermod', ['-p', '*', name], { stdio: 'pipe' });
  else execFileSync('chpasswd', [], { input: `${name}:${password}\n`, stdio: ['pipe', 'pipe', 'pipe'] });
  const user = lookup(name);
  if (user === undefined) throw new Error(`useradd did not create ${name}`);
  fs.mkdirSync(home, { recursive: true });
  fs.chownSync(home, user.uid, user.gid);
  return user;
}

/** chown -R */
export function chownTree(p: string, uid: number, gid: number): void {
  fs.chownSync(p, uid, gid);
  if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chownTree(path.join(p, e), uid, gid);
}
