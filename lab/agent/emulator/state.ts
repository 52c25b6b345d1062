// The persistent state of one emulated DataMiner Agent: <agentDir>/state.json, plus a real folder tree under
// <agentDir>/C standing for drive C:. Every session reads and writes it under a lock, so concurrent SSH sessions on one
// Agent see each other's effects as on a real server.
import * as fs from 'node:fs';
import * as path from 'node:path';

export type DataMinerStatus = 'Running' | 'Not running' | 'Starting' | 'Stopping';

export interface Program {
  name: string;
  version: string;
  /** Registry key under ...\Uninstall: the MSI product code. */
  productCode: string;
  publisher: string;
}

export interface Service {
  name: string;
  status: 'Running' | 'Stopped';
}

export interface UpgradeRun {
  packageFile: string;
  packageWindowsPath: string;
  fromBuild: string;
  toBuild: string;
  startedAt: number;
  durationMs: number;
  /** Set when a prerequisite check fails: the upgrade stops there. */
  failedPrerequisite?: string;
  completed: boolean;
  /** This upgrade's own folder under Upgrades\Packages: `<package file>-<32 hex>` (absent on Agents it was pushed to). */
  folder?: string;
  /** On an Agent upgraded by a cluster upgrade started on another Agent: that Agent's name. */
  drivenBy?: string;
}

/** A DMS member as UpgradeInfo.xml names it. */
export interface DmsMember {
  name: string;
  address: string;
}

export interface Faults {
  /** Every session waits this long before answering. */
  slowMs?: number;
  /** Sessions whose command contains this text (case-insensitive; '' = all) never finish. */
  hang?: string;
  /** Sessions whose command contains this text drop the SSH connection (the sshd session process is killed). */
  drop?: string;
  /** Programs (Taskbar Utility, msiexec) take this long before and again after their effect (ms). */
  programMs?: number;
  /** The nth session from now (1 = the next one) fails with this exit code and stderr text. */
  failNth?: { nth: number; exitCode: number; stderr: string };
}

export interface AgentState {
  name: string;
  /** Which DefaultShell this Agent's OpenSSH hands commands to. */
  defaultShell: 'cmd' | 'powershell';
  build: string;
  status: DataMinerStatus;
  programs: Program[];
  services: Service[];
  upgrade?: UpgradeRun;
  /** How long the next upgrade takes from start to "completed". */
  upgradeDurationMs: number;
  faults: Faults;
  /** Sessions seen so far (for failNth). */
  sessions: number;
  /** Where the Taskbar Utility is installed on this Agent. */
  taskbarUtility: string;
  /** The address the Agents of its DMS know it by (UpgradeInfo.xml Agents/IP). */
  address: string;
  /** The DMS's shared folder in the lab: members.json and the cluster upgrades pushed to the other Agents. */
  dmsDir: string;
  /** Packages used for an upgrade, lower-case Windows paths: "marked as completed", never used again. */
  usedPackages: string[];
  /** A build installed but not yet started: VersionHistory.txt gets its line at the first start. */
  pendingHistory?: string;
  /** Cluster upgrades (by folder id) this Agent has taken from its DMS's shared folder. */
  joinedUpgrades: string[];
}

export function statePath(agentDir: string): string {
  return path.join(agentDir, 'state.json');
}

export function readState(agentDir: string): AgentState {
  return JSON.parse(fs.readFileSync(statePath(agentDir), 'utf8')) as AgentState;
}

export function writeState(agentDir: string, state: AgentState): void {
  const file = statePath(agentDir);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2));
  fs.renameSync(tmp, file);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs fn with the Agent's lock held (a directory created atomically); a lock older than 30 s is taken over. */
export function withLock<T>(agentDir: string, fn: () => T): T {
  const lock = path.join(agentDir, 'state.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 30_000) fs.rmdirSync(lock);
      } catch {
        // taken by someone else meanwhile
      }
      if (attempt > 3000) throw new Error(`agent state lock ${lock} busy for too long`);
      sleepSync(5);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmdirSync(lock);
  }
}

/** Appends one record to <agentDir>/calls.jsonl. */
export function recordCall(agentDir: string, record: Record<string, unknown>): void {
  fs.appendFileSync(path.join(agentDir, 'calls.jsonl'), JSON.stringify({ time: new Date().toISOString(), pid: process.pid, ...record }) + '\n');
}

/**
 * Maps a Windows path (C:\Skyline DataMiner\...) onto <agentDir>/C/..., matching each component case-insensitively
 * as NTFS does. Returns undefined for other drives or UNC paths.
 */
export function hostPath(agentDir: string, windowsPath: string): string | undefined {
  const m = /^([A-Za-z]):[\\/]?(.*)$/.exec(windowsPath);
  if (m?.[1] === undefined || m[1].toUpperCase() !== 'C') return undefined;
  let current = path.join(agentDir, 'C');
  const parts = (m[2] ?? '').split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  for (const part of parts) {
    if (part === '..') {
      if (current !== path.join(agentDir, 'C')) current = path.dirname(current);
      continue;
    }
    let name = part;
    try {
      const found = fs.readdirSync(current).find((e) => e.toLowerCase() === part.toLowerCase());
      if (found !== undefined) name = found;
    } catch {
      // folder missing: keep the name as given
    }
    current = path.join(current, name);
  }
  return current;
}
