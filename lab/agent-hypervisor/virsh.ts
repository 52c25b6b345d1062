// A stateful stand-in for libvirt's `virsh`, for route A tests: domains (one per emulated Agent) with a power state
// and snapshots. A snapshot holds a copy of its Agent's emulated disk (state.json and the C: tree of the Agent lab),
// so reverting really puts the Agent back to the version it ran when the snapshot was taken. Every call is recorded.
//
//   node virsh.js <command> [args]      with BACKOUT_VIRSH_STATE=<state.json>
//   commands: list [--all], domstate D, start D, shutdown D, destroy D, snapshot-list D,
//             snapshot-create-as D NAME, snapshot-revert D NAME
// Output and exit codes follow virsh: `error: ...` lines on stderr and exit 1 on failure.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withLock } from '../agent/emulator/state';

export type DomainState = 'running' | 'shut off';

export interface SnapshotRecord {
  name: string;
  /** ISO 8601. */
  createdAt: string;
  /** The domain's state when the snapshot was taken (reverting restores it). */
  state: DomainState;
  /** Folder holding the copy of the Agent's disk. */
  dir: string;
}

export interface DomainRecord {
  state: DomainState;
  /** The emulated Agent whose disk this VM holds (an Agent lab folder), if any. */
  agentDir?: string;
  snapshots: SnapshotRecord[];
}

export interface VirshState {
  domains: Record<string, DomainRecord>;
}

/** Parts of an Agent folder that are its disk; the lab's own files (sshd, call records, lock) stay outside. */
const DISK = ['state.json', 'C'];

function load(file: string): VirshState {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as VirshState) : { domains: {} };
}

function save(file: string, state: VirshState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2));
  fs.renameSync(tmp, file);
}

function chownTree(p: string, uid: number, gid: number): void {
  fs.lchownSync(p, uid, gid);
  if (fs.lstatSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chownTree(path.join(p, e), uid, gid);
}

function copyDisk(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const name of DISK) {
    fs.rmSync(path.join(to, name), { recursive: true, force: true });
    if (fs.existsSync(path.join(from, name))) fs.cpSync(path.join(from, name), path.join(to, name), { recursive: true });
  }
}

function takeSnapshot(stateFile: string, s: VirshState, domain: string, name: string, createdAt: Date): void {
  const d = s.domains[domain];
  if (d === undefined) throw new Error(`no domain ${domain}`);
  if (d.snapshots.some((x) => x.name === name)) throw new Error(`snapshot ${name} exists`);
  const dir = path.join(path.dirname(stateFile), 'snapshots', domain, name);
  if (d.agentDir !== undefined) {
    const agentDir = d.agentDir;
    withLock(agentDir, () => copyDisk(agentDir, dir));
  } else fs.mkdirSync(dir, { recursive: true });
  d.snapshots.push({ name, createdAt: createdAt.toISOString(), state: d.state, dir });
}

export class VirshStandIn {
  constructor(readonly stateFile: string) {}

  state(): VirshState {
    return load(this.stateFile);
  }

  /** Defines a domain (running), optionally backed by an Agent lab folder. */
  define(name: string, agentDir?: string): void {
    const s = load(this.stateFile);
    s.domains[name] = { state: 'running', ...(agentDir === undefined ? {} : { agentDir }), snapshots: [] };
    save(this.stateFile, s);
  }

  /** Sets a domain's power state directly (to take a snapshot of a powered-off VM). */
  setState(domain: string, state: DomainState): void {
    withLock(path.dirname(this.stateFile), () => {
      const s = load(this.stateFile);
      const d = s.domains[domain];
      if (d === undefined) throw new Error(`no domain ${domain}`);
      d.state = state;
      save(this.stateFile, s);
    });
  }

  /** Takes a snapshot now, dated `createdAt` (tests date snapshots around an upgrade). */
  snapshot(domain: string, name: string, createdAt: Date = new Date()): void {
    withLock(path.dirname(this.stateFile), () => {
      const s = load(this.stateFile);
      takeSnapshot(this.stateFile, s, domain, name, createdAt);
      save(this.stateFile, s);
    });
  }

  calls(): Array<{ argv: string[]; exitCode: number }> {
    const file = `${this.stateFile}.calls.jsonl`;
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { argv: string[]; exitCode: number });
  }

  /** Writes an executable `virsh` into `binDir` that runs this stand-in on this state file. */
  installWrapper(binDir: string): string {
    fs.mkdirSync(binDir, { recursive: true });
    const file = path.join(binDir, 'virsh');
    const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    fs.writeFileSync(file, `#!/bin/sh\nBACKOUT_VIRSH_STATE=${q(this.stateFile)} exec ${q(process.execPath)} ${q(path.join(__dirname, 'virsh.js'))} "$@"\n`, { mode: 0o755 });
    return file;
  }
}

/** Runs one virsh command against the state file; returns the exit code. */
export function runVirsh(stateFile: string, argv: readonly string[], out: (l: string) => void, err: (l: string) => void): number {
  const s = load(stateFile);
  const [command, ...args] = argv;
  const domainArg = args.find((a) => !a.startsWith('--'));
  const need = (): DomainRecord | undefined => {
    const d = domainArg === undefined ? undefined : s.domains[domainArg];
    if (d === undefined) err(`error: failed to get domain '${domainArg ?? ''}'`);
    return d;
  };
  switch (command) {
    case 'list': {
      out(' Id   Name            State');
      out('--------------------------------');
      let id = 1;
      for (const [name, d] of Object.entries(s.domains)) {
        if (d.state !== 'running' && !args.includes('--all')) continue;
        out(` ${d.state === 'running' ? String(id++).padEnd(4) : '-   '} ${name.padEnd(15)} ${d.state}`);
      }
      return 0;
    }
    case 'domstate': {
      const d = need();
      if (d === undefined) return 1;
      out(d.state);
      return 0;
    }
    case 'start': {
      const d = need();
      if (d === undefined) return 1;
      if (d.state === 'running') {
        err('error: Failed to start domain ' + `'${domainArg}'`);
        err('error: Requested operation is not valid: domain is already running');
        return 1;
      }
      d.state = 'running';
      save(stateFile, s);
      out(`Domain '${domainArg}' started`);
      return 0;
    }
    case 'shutdown':
    case 'destroy': {
      const d = need();
      if (d === undefined) return 1;
      if (d.state !== 'running') {
        err(`error: Failed to ${command} domain '${domainArg}'`);
        err('error: Requested operation is not valid: domain is not running');
        return 1;
      }
      d.state = 'shut off';
      save(stateFile, s);
      out(command === 'destroy' ? `Domain '${domainArg}' destroyed` : `Domain '${domainArg}' is being shutdown`);
      return 0;
    }
    case 'snapshot-list': {
      const d = need();
      if (d === undefined) return 1;
      out(' Name                 Creation Time               State');
      out('---------------------------------------------------------------');
      for (const snap of d.snapshots) {
        const t = new Date(snap.createdAt).toISOString().replace('T', ' ').slice(0, 19);
        out(` ${snap.name.padEnd(20)} ${t} +0000   ${snap.state === 'running' ? 'running' : 'shutoff'}`);
      }
      return 0;
    }
    case 'snapshot-create-as': {
      const d = need();
      const name = args.filter((a) => !a.startsWith('--'))[1];
      if (d === undefined || name === undefined || domainArg === undefined) return 1;
      if (d.snapshots.some((x) => x.name === name)) {
        err(`error: operation failed: domain snapshot '${name}' already exists`);
        return 1;
      }
      takeSnapshot(stateFile, s, domainArg, name, new Date());
      save(stateFile, s);
      out(`Domain snapshot ${name} created`);
      return 0;
    }
    case 'snapshot-revert': {
      const d = need();
      const name = args.filter((a) => !a.startsWith('--'))[1];
      if (d === undefined) return 1;
      const snap = d.snapshots.find((x) => x.name === name);
      if (snap === undefined) {
        err(`error: Domain snapshot not found: no domain snapshot with matching name '${name ?? ''}'`);
        return 1;
      }
      if (d.agentDir !== undefined) {
        const agentDir = d.agentDir;
        const st = fs.statSync(agentDir);
        withLock(agentDir, () => {
          copyDisk(snap.dir, agentDir);
          for (const n of DISK) if (fs.existsSync(path.join(agentDir, n))) chownTree(path.join(agentDir, n), st.uid, st.gid);
        });
      }
      d.state = snap.state;
      save(stateFile, s);
      return 0;
    }
    default:
      err(`error: unknown command: '${command ?? ''}'`);
      return 1;
  }
}

if (require.main === module) {
  const stateFile = process.env.BACKOUT_VIRSH_STATE;
  if (stateFile === undefined || stateFile === '') {
    process.stderr.write('error: BACKOUT_VIRSH_STATE is not set (the virsh stand-in needs its state file)\n');
    process.exitCode = 1;
  } else {
    const argv = process.argv.slice(2);
    // One command at a time per state file, as libvirtd serialises them: runs fanned out over VMs run concurrently.
    const code = withLock(path.dirname(stateFile), () => runVirsh(stateFile, argv, (l) => process.stdout.write(`${l}\n`), (l) => process.stderr.write(`${l}\n`)));
    fs.appendFileSync(`${stateFile}.calls.jsonl`, `${JSON.stringify({ time: new Date().toISOString(), argv, exitCode: code })}\n`);
    process.exitCode = code;
  }
}
