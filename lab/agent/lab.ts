// The Agent lab: one real OpenSSH server per emulated DataMiner Agent on 127.0.0.1, each with its own high port, host
// key, sshd_config, PidFile and non-root user whose login shell is the Agent emulator. Optionally a jump host (a
// plain sshd that only forwards) for ProxyJump. Used by the integration tests (startLab) and by the lab CLI.
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hostPath, readState, withLock, writeState, AgentState, Faults } from './emulator/state';
import { completeLines, readEffects, type Effect } from './emulator/effects';
import { JOB_PIDS, processStartTime } from './emulator/jobs';
import { AgentSeed, labPackage, seedAgent } from './seed';
import { alive, freePort, startSshd, stopPid, stopPidAndWait } from './sshd';
import { chownTree, ensureRoot, ensureShellWrapper, ensureUser, LabUser, SHELL_WRAPPER } from './system';

export interface LabAgent {
  name: string;
  host: '127.0.0.1';
  /** The address its DMS knows it by (UpgradeInfo.xml); a loopback address of its own, on which its sshd listens too. */
  address: string;
  /** The DMS it belongs to. */
  dms: string;
  port: number;
  user: string;
  dir: string;
  pid: number;
  /** `ssh-ed25519 AAAA... comment` */
  hostKeyPublic: string;
  /** SHA256:... as OpenSSH prints it. */
  hostKeyFingerprint: string;
}

export interface LabJumpHost {
  host: '127.0.0.1';
  port: number;
  user: string;
  pid: number;
  hostKeyPublic: string;
}

export interface LabOptions {
  /** Lab folder; default: a new folder under the system temp dir. */
  dir?: string;
  agents: AgentSeed[];
  /** Also start a jump host (for ProxyJump through a second sshd). */
  jumpHost?: boolean;
  /** Enable password authentication with this password for every lab user. */
  password?: string;
  /** sshds survive this process (CLI); tests keep them attached and stop them in teardown. */
  detached?: boolean;
  /** Prefix of the lab users' names (default `bkdma`): labs running at the same time use different prefixes. */
  userPrefix?: string;
  /** sshd limits of every Agent (defaults as OpenSSH and Windows OpenSSH: MaxSessions 10, MaxStartups 10:30:100). */
  sshd?: { maxSessions?: number; maxStartups?: string };
}

export interface LabManifest {
  dir: string;
  agents: LabAgent[];
  jumpHost?: LabJumpHost;
  clientKey: string;
  password?: string;
  /** Whether the sshds outlive the process that started them. */
  detached: boolean;
  sshd?: { maxSessions?: number; maxStartups?: string };
}

const EMULATOR = path.join(__dirname, 'emulator', 'main.js');

export function fingerprintOf(publicKeyLine: string): string {
  const blob = Buffer.from(publicKeyLine.split(/\s+/)[1] ?? '', 'base64');
  return 'SHA256:' + crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** Lab user names: bkdma01, bkdma02, ... (stable, so repeated runs reuse them). */
export function agentUser(index: number, prefix = 'bkdma'): string {
  return `${prefix}${String(index + 1).padStart(2, '0')}`;
}

const live = new Set<AgentLab>();
let handlersInstalled = false;

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const killAll = (): void => {
    for (const lab of live) lab.killNow();
  };
  process.once('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killAll();
      process.kill(process.pid, sig);
    });
  }
}

export class AgentLab {
  private stopped = false;

  /** `removeDirOnStop`: the lab made its own temp folder, so stop() removes it. */
  constructor(
    readonly manifest: LabManifest,
    private readonly removeDirOnStop = false,
  ) {}

  get dir(): string {
    return this.manifest.dir;
  }
  get agents(): readonly LabAgent[] {
    return this.manifest.agents;
  }
  get jumpHost(): LabJumpHost | undefined {
    return this.manifest.jumpHost;
  }
  /** Private key (unencrypted ed25519) authorized for every lab user. */
  get clientKeyPath(): string {
    return this.manifest.clientKey;
  }

  agent(name: string): LabAgent {
    const a = this.manifest.agents.find((x) => x.name === name);
    if (a === undefined) throw new Error(`no lab Agent named ${name}`);
    return a;
  }

  /** known_hosts lines for every Agent (and the jump host), as `[127.0.0.1]:port key` and `[address]:port key`. */
  knownHostsLines(): string[] {
    const key = (a: LabAgent): string => a.hostKeyPublic.split(/\s+/).slice(0, 2).join(' ');
    const lines = this.manifest.agents.flatMap((a) => [`[127.0.0.1]:${a.port} ${key(a)}`, ...(a.address === '127.0.0.1' ? [] : [`[${a.address}]:${a.port} ${key(a)}`])]);
    const j = this.manifest.jumpHost;
    if (j !== undefined) lines.push(`[127.0.0.1]:${j.port} ${j.hostKeyPublic.split(/\s+/).slice(0, 2).join(' ')}`);
    return lines;
  }

  /** Authorizes one more public key (OpenSSH line) for every lab user. */
  authorize(publicKeyLine: string): void {
    const dir = path.join(this.dir, 'authorized_keys');
    for (const f of fs.readdirSync(dir)) {
      const file = path.join(dir, f);
      const current = fs.readFileSync(file, 'utf8');
      if (!current.includes(publicKeyLine.trim())) fs.appendFileSync(file, publicKeyLine.trim() + '\n');
    }
  }

  state(name: string): AgentState {
    return readState(this.agent(name).dir);
  }

  /** Changes an Agent's state under its lock (e.g. its DefaultShell). */
  update(name: string, fn: (s: AgentState) => void): void {
    const a = this.agent(name);
    withLock(a.dir, () => {
      const s = readState(a.dir);
      fn(s);
      writeState(a.dir, s);
    });
    chownTree(path.join(a.dir, 'state.json'), ...this.owner(a));
  }

  setFaults(name: string, faults: Faults): void {
    this.update(name, (s) => {
      s.faults = faults;
    });
  }

  /** Every call the Agent recorded, oldest first. */
  calls(name: string): Array<Record<string, unknown>> {
    const file = path.join(this.agent(name).dir, 'calls.jsonl');
    if (!fs.existsSync(file)) return [];
    // Only whole lines: an Agent process may be appending a record while it is read (the last piece, without its
    // newline, is that record half-written, not a record).
    return completeLines(fs.readFileSync(file, 'utf8')).map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** The Agent's append-only record of the state-changing actions it performed, oldest first. */
  effects(name: string): Effect[] {
    return readEffects(this.agent(name).dir);
  }

  /** The jobs (WMI-created processes) of an Agent that are still running, by pid. */
  runningJobs(name: string): number[] {
    const file = path.join(this.agent(name).dir, JOB_PIDS);
    if (!fs.existsSync(file)) return [];
    const pids = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map(Number);
    return pids.filter((pid) => processStartTime(pid) !== undefined);
  }

  /** Ends an Agent's running jobs as a reboot would (SIGKILL, by the pids the Agent recorded). */
  killJobs(name: string): number[] {
    const pids = this.runningJobs(name);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // ended meanwhile
      }
    }
    return pids;
  }

  /**
   * Drops every SSH connection to an Agent as a network cut would look to the client: the sshd processes serving its
   * sessions (children of its listener) are killed; the listener stays, so new connections are accepted.
   */
  dropConnections(name: string): number {
    const listener = this.agent(name).pid;
    let dropped = 0;
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue;
      }
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== listener) continue;
      try {
        process.kill(Number(entry), 'SIGKILL');
        dropped++;
      } catch {
        // ended meanwhile
      }
    }
    return dropped;
  }

  /** Places a file on an Agent's C: drive (e.g. an upgrade package), owned by the Agent's user. */
  placeFile(name: string, windowsPath: string, content: string): void {
    const a = this.agent(name);
    const p = hostPath(a.dir, windowsPath);
    if (p === undefined) throw new Error(`not a C: path: ${windowsPath}`);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
    chownTree(path.join(a.dir, 'C'), ...this.owner(a));
  }

  /** Places a lab upgrade package for `version` on an Agent (prerequisites: default those of the vendor's package). */
  placePackage(name: string, windowsPath: string, version: string, prerequisites?: string[]): void {
    this.placeFile(name, windowsPath, labPackage(version, prerequisites));
  }

  readFile(name: string, windowsPath: string): string | undefined {
    const p = hostPath(this.agent(name).dir, windowsPath);
    return p !== undefined && fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined;
  }

  private owner(a: LabAgent): [number, number] {
    const st = fs.statSync(a.dir);
    return [st.uid, st.gid];
  }

  /** Restarts one Agent's sshd with a new host key (to test a changed key). */
  async regenerateHostKey(name: string): Promise<void> {
    const a = this.agent(name);
    const sshdDir = path.join(a.dir, 'sshd');
    await stopPidAndWait(a.pid);
    fs.rmSync(path.join(sshdDir, 'ssh_host_ed25519_key'), { force: true });
    fs.rmSync(path.join(sshdDir, 'ssh_host_ed25519_key.pub'), { force: true });
    const h = await startAgentSshd(this.dir, a.user, a.port, a.dir, a.address, !!this.manifest.password, !this.manifest.detached, this.manifest.sshd);
    a.pid = h.pid;
    a.hostKeyPublic = h.hostKeyPublic;
    a.hostKeyFingerprint = fingerprintOf(h.hostKeyPublic);
    writeManifest(this.manifest);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const pids = [...this.manifest.agents.map((a) => a.pid), ...(this.manifest.jumpHost === undefined ? [] : [this.manifest.jumpHost.pid])];
    await Promise.all(pids.map((pid) => stopPidAndWait(pid)));
    // Jobs outlive their sessions by design: the lab ends those it created.
    for (const a of this.manifest.agents) this.killJobs(a.name);
    live.delete(this);
    if (this.removeDirOnStop) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Synchronous last resort (process exit, signals). */
  killNow(): void {
    for (const a of this.manifest.agents) stopPid(a.pid);
    if (this.manifest.jumpHost !== undefined) stopPid(this.manifest.jumpHost.pid);
  }
}

async function startAgentSshd(labDir: string, user: string, port: number, agentDir: string, address: string, password: boolean, attached: boolean, limits: LabManifest['sshd']) {
  return startSshd({
    alsoListenOn: [address],
    ...(limits?.maxSessions === undefined ? {} : { maxSessions: limits.maxSessions }),
    ...(limits?.maxStartups === undefined ? {} : { maxStartups: limits.maxStartups }),
    dir: path.join(agentDir, 'sshd'),
    port,
    users: [user],
    authorizedKeysDir: path.join(labDir, 'authorized_keys'),
    passwordAuthentication: password,
    allowTcpForwarding: false,
    env: { BACKOUT_AGENT_DIR: agentDir, BACKOUT_EMULATOR: EMULATOR, BACKOUT_NODE: process.execPath },
    sftpSubsystem: 'backout-lab-sftp',
    attached,
  });
}

function writeManifest(m: LabManifest): void {
  fs.writeFileSync(path.join(m.dir, 'lab.json'), JSON.stringify(m, null, 2));
}

export function readManifest(dir: string): LabManifest {
  return JSON.parse(fs.readFileSync(path.join(dir, 'lab.json'), 'utf8')) as LabManifest;
}

function dmsDir(labDir: string, dms: string): string {
  return path.join(labDir, 'dms', dms);
}

/**
 * Each DMS's shared folder: members.json (name and address of each Agent, what a cluster upgrade may list) and
 * upgrades/, where an Agent that runs a cluster upgrade leaves it for the others (writable by every lab user, sticky).
 */
function writeDmsFolders(labDir: string, seeds: ReadonlyArray<{ name: string; dms: string; address: string }>): void {
  const byDms = new Map<string, Array<{ name: string; address: string }>>();
  for (const s of seeds) byDms.set(s.dms, [...(byDms.get(s.dms) ?? []), { name: s.name, address: s.address }]);
  fs.mkdirSync(path.join(labDir, 'dms'), { recursive: true, mode: 0o755 });
  for (const [dms, members] of byDms) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(dms)) throw new Error(`invalid DMS name: ${dms}`);
    const addresses = members.map((m) => m.address);
    const twice = addresses.find((a, i) => addresses.indexOf(a) !== i);
    if (twice !== undefined) throw new Error(`DMS ${dms}: two Agents have address ${twice}`);
    const d = dmsDir(labDir, dms);
    fs.rmSync(d, { recursive: true, force: true });
    fs.mkdirSync(path.join(d, 'upgrades'), { recursive: true });
    fs.chmodSync(d, 0o755);
    fs.chmodSync(path.join(d, 'upgrades'), 0o1777);
    fs.writeFileSync(path.join(d, 'members.json'), JSON.stringify(members, null, 2));
  }
}

/** Starts the lab. On any failure every sshd started so far is stopped before the error propagates. */
export async function startLab(options: LabOptions): Promise<AgentLab> {
  ensureRoot();
  if (!fs.existsSync(EMULATOR)) throw new Error(`${EMULATOR} is missing: compile first (npx tsc -p .)`);
  ensureShellWrapper();
  installExitHandlers();
  const ownDir = options.dir === undefined && options.detached !== true;
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'backout-agent-lab-'));
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  const keysDir = path.join(dir, 'authorized_keys');
  fs.mkdirSync(keysDir, { recursive: true });
  const clientKey = path.join(dir, 'client', 'id_ed25519');
  if (!fs.existsSync(clientKey)) {
    fs.mkdirSync(path.dirname(clientKey), { recursive: true, mode: 0o700 });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'backout-lab-client', '-f', clientKey], { stdio: 'pipe' });
  }
  const clientPub = fs.readFileSync(clientKey + '.pub', 'utf8').trim();
  const manifest: LabManifest = { dir, agents: [], clientKey, detached: options.detached === true, ...(options.sshd === undefined ? {} : { sshd: options.sshd }), ...(options.password === undefined ? {} : { password: options.password }) };
  const lab = new AgentLab(manifest, ownDir);
  // Attached labs die with this process; a detached (CLI) lab is stopped on failure only.
  live.add(lab);
  try {
    const names = new Set<string>();
    // Each Agent gets an address of its own for its DMS (UpgradeInfo.xml names Agents by address): 127.0.0.11, .12, …
    const seeds = options.agents.map((s, i) => ({ ...s, dms: s.dms ?? 'dms', address: s.address ?? `127.0.0.${11 + i}` }));
    writeDmsFolders(dir, seeds);
    for (const [index, seed] of seeds.entries()) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(seed.name) || names.has(seed.name)) throw new Error(`invalid or duplicate Agent name: ${seed.name}`);
      names.add(seed.name);
      const userName = agentUser(index, options.userPrefix);
      const user: LabUser = ensureUser(userName, SHELL_WRAPPER, options.password);
      const agentDir = path.join(dir, 'agents', seed.name);
      fs.rmSync(agentDir, { recursive: true, force: true });
      fs.mkdirSync(agentDir, { recursive: true });
      seedAgent(agentDir, seed, dmsDir(dir, seed.dms));
      chownTree(agentDir, user.uid, user.gid);
      fs.chmodSync(path.join(dir, 'agents'), 0o755);
      const keyFile = path.join(keysDir, userName);
      fs.writeFileSync(keyFile, clientPub + '\n');
      fs.chownSync(keyFile, user.uid, user.gid);
      let handle;
      for (let attempt = 0; ; attempt++) {
        try {
          handle = await startAgentSshd(dir, userName, await freePort(), agentDir, seed.address, options.password !== undefined, options.detached !== true, options.sshd);
          break;
        } catch (err) {
          // another process may have taken the free port between probing and binding
          if (attempt >= 3) throw err;
        }
      }
      manifest.agents.push({ name: seed.name, host: '127.0.0.1', address: seed.address, dms: seed.dms, port: handle.port, user: userName, dir: agentDir, pid: handle.pid, hostKeyPublic: handle.hostKeyPublic, hostKeyFingerprint: fingerprintOf(handle.hostKeyPublic) });
      writeManifest(manifest);
    }
    if (options.jumpHost === true) {
      const jumpUser = options.userPrefix === undefined ? 'bkjump' : `${options.userPrefix}jump`;
      const user = ensureUser(jumpUser, '/bin/sh', options.password);
      const keyFile = path.join(keysDir, jumpUser);
      fs.writeFileSync(keyFile, clientPub + '\n');
      fs.chownSync(keyFile, user.uid, user.gid);
      const h = await startSshd({
        dir: path.join(dir, 'jump'),
        port: await freePort(),
        users: [jumpUser],
        authorizedKeysDir: keysDir,
        passwordAuthentication: options.password !== undefined,
        allowTcpForwarding: true,
        env: {},
        sftpSubsystem: 'internal-sftp',
        attached: options.detached !== true,
      });
      manifest.jumpHost = { host: '127.0.0.1', port: h.port, user: jumpUser, pid: h.pid, hostKeyPublic: h.hostKeyPublic };
    }
    writeManifest(manifest);
    if (manifest.detached) live.delete(lab);
    return lab;
  } catch (err) {
    await lab.stop();
    throw err;
  }
}

/** Stops a lab started elsewhere (CLI) from its lab.json. */
export async function stopLabDir(dir: string): Promise<number> {
  const m = readManifest(dir);
  const pids = [...m.agents.map((a) => a.pid), ...(m.jumpHost === undefined ? [] : [m.jumpHost.pid])];
  const running = pids.filter(alive);
  await Promise.all(running.map((pid) => stopPidAndWait(pid)));
  return running.length;
}
