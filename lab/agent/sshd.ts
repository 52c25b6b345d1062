// One OpenSSH server on 127.0.0.1: its own folder, host key, sshd_config and PidFile; started in the foreground
// (-D) and stopped by its PID.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { SSHD } from './system';

export interface SshdSpec {
  dir: string;
  port: number;
  users: string[];
  authorizedKeysDir: string;
  passwordAuthentication: boolean;
  allowTcpForwarding: boolean;
  /** SetEnv for sessions (Agents pass their folder to the emulator this way). */
  env: Record<string, string>;
  /** `Subsystem sftp <command>` (run through the user's shell). */
  sftpSubsystem: string;
  /** When false, the sshd keeps running after this process exits (lab CLI). */
  attached: boolean;
  maxSessions?: number;
  maxStartups?: string;
  /** More loopback addresses to listen on besides 127.0.0.1 (an Agent's own address in its DMS). */
  alsoListenOn?: string[];
}

export interface SshdHandle {
  pid: number;
  port: number;
  dir: string;
  hostKeyPublic: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function quote(v: string): string {
  return `"${v.replace(/"/g, '')}"`;
}

export function writeConfig(spec: SshdSpec): string {
  const hostKey = path.join(spec.dir, 'ssh_host_ed25519_key');
  if (!fs.existsSync(hostKey)) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `lab-host-${spec.port}`, '-f', hostKey], { stdio: 'pipe' });
  const lines = [
    `ListenAddress 127.0.0.1`,
    ...(spec.alsoListenOn ?? []).filter((a) => a !== '127.0.0.1').map((a) => `ListenAddress ${a}`),
    `Port ${spec.port}`,
    `HostKey ${hostKey}`,
    `PidFile ${path.join(spec.dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(spec.authorizedKeysDir, '%u')}`,
    `AllowUsers ${spec.users.join(' ')}`,
    `PubkeyAuthentication yes`,
    `PasswordAuthentication ${spec.passwordAuthentication ? 'yes' : 'no'}`,
    `KbdInteractiveAuthentication no`,
    `PermitRootLogin no`,
    `UsePAM no`,
    `StrictModes no`,
    `PrintMotd no`,
    `PrintLastLog no`,
    `X11Forwarding no`,
    `AllowAgentForwarding no`,
    `AllowTcpForwarding ${spec.allowTcpForwarding ? 'yes' : 'no'}`,
    `PermitUserEnvironment no`,
    `UseDNS no`,
    `MaxSessions ${spec.maxSessions ?? 10}`,
    `MaxStartups ${spec.maxStartups ?? '10:30:100'}`,
    `Subsystem sftp ${spec.sftpSubsystem}`,
    ...(Object.keys(spec.env).length > 0 ? [`SetEnv ${Object.entries(spec.env).map(([k, v]) => quote(`${k}=${v}`)).join(' ')}`] : []),
    `LogLevel VERBOSE`,
  ];
  const file = path.join(spec.dir, 'sshd_config');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Resolves once the server sends its SSH banner; rejects after `timeoutMs`. */
export async function waitForBanner(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; Date.now() < deadline && attempt < 1000; attempt++) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      const done = (v: boolean): void => {
        sock.destroy();
        resolve(v);
      };
      sock.setTimeout(500, () => done(false));
      sock.once('data', (d) => done(String(d).startsWith('SSH-')));
      sock.once('error', () => done(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`sshd on 127.0.0.1:${port} did not answer within ${timeoutMs} ms`);
}

export async function startSshd(spec: SshdSpec): Promise<SshdHandle> {
  fs.mkdirSync(spec.dir, { recursive: true });
  const config = writeConfig(spec);
  execFileSync(SSHD, ['-t', '-f', config], { stdio: 'pipe' });
  const log = fs.openSync(path.join(spec.dir, 'sshd.log'), 'a');
  const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', log, log], detached: !spec.attached });
  fs.closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${SSHD}`);
  const pid = child.pid;
  if (!spec.attached) child.unref();
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`sshd on port ${spec.port} exited with ${code}; see ${path.join(spec.dir, 'sshd.log')}`))),
  );
  try {
    await Promise.race([waitForBanner(spec.port, 10_000), exited]);
  } catch (err) {
    stopPid(pid);
    throw err;
  }
  exited.catch(() => undefined);
  const hostKeyPublic = fs.readFileSync(path.join(spec.dir, 'ssh_host_ed25519_key.pub'), 'utf8').trim();
  return { pid, port: spec.port, dir: spec.dir, hostKeyPublic };
}

/** Stops a process by PID (SIGTERM, then SIGKILL after `graceMs`). Returns once it is gone. */
export async function stopPidAndWait(pid: number, graceMs = 2000): Promise<void> {
  if (!stopPid(pid)) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export function stopPid(pid: number): boolean {
  try {
    process.kill(pid, 'SIGTERM');
    return true;
  } catch {
    return false;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie child still answers signal 0; read its state.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}
