// How an emulated Agent's DataMiner behaves (notes/domain.md): the Taskbar Utility's stop/start/restart/upgrade,
// upgrades that progress through "Starting up (xx%)" to completed and append VersionHistory.txt, the module
// compatibility rules of UserDefinableApiEndpoint and the known downgrade traps, and msiexec for the module installers.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentState, hostPath, Program, readState, withLock, writeState } from './state';

export const INSTALL_DIR = 'C:\\Skyline DataMiner';
export const VERSION_HISTORY = `${INSTALL_DIR}\\Upgrades\\VersionHistory.txt`;
export const MODULE_INSTALLERS = `${INSTALL_DIR}\\Tools\\ModuleInstallers`;

/** The content of a lab upgrade package (a real one is a zip; the lab writes this JSON instead). */
export interface LabPackage {
  kind: 'dmupgrade';
  build: string;
  /** Prerequisite checks in the package's Update.zip\Prerequisites, e.g. VerifyNatsIsRunning. */
  prerequisites: string[];
}

export type Version = [number, number, number, number];

export function versionOf(build: string): Version {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:\.(\d+))?/.exec(build);
  if (m === null) return [0, 0, 0, 0];
  return [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
}

export function compare(a: Version, b: Version): number {
  for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return 0;
}

const v = (s: string): Version => versionOf(s);

/** Writes a file on the Agent's emulated C: drive, creating folders. */
export function writeAgentFile(agentDir: string, windowsPath: string, content: string): void {
  const p = hostPath(agentDir, windowsPath);
  if (p === undefined) throw new Error(`not a C: path: ${windowsPath}`);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
}

export function productCodeFor(name: string, version: string): string {
  const h = crypto.createHash('sha1').update(`${name} ${version}`).digest('hex').toUpperCase();
  return `{${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}}`;
}

function findModule(state: AgentState, name: string): Program | undefined {
  return state.programs.find((p) => p.name.toLowerCase() === name.toLowerCase());
}

/**
 * The MOP's trap: after going from 10.3.8+ to 10.3.4..10.3.7, DataMiner keeps "Starting up (xx%)" while
 * StorageModule 3.0.3+ or UserDefinableApiEndpoint 2.0.0+ are installed.
 */
export function stuckOnModules(state: AgentState): boolean {
  const ver = versionOf(state.build);
  if (compare(ver, v('10.3.4')) < 0 || compare(ver, v('10.3.8')) >= 0) return false;
  const storage = findModule(state, 'DataMiner StorageModule');
  const api = findModule(state, 'DataMiner UserDefinableApiEndpoint');
  return (storage !== undefined && compare(versionOf(storage.version), v('3.0.3')) >= 0) || (api !== undefined && compare(versionOf(api.version), v('2.0.0')) >= 0);
}

/** UserDefinableApiEndpoint versions a DataMiner version accepts (domain.md); a mismatch fails with error 1001. */
export function apiEndpointCompatible(apiVersion: string, dataminerBuild: string): boolean {
  const major = versionOf(apiVersion)[0];
  const dm = versionOf(dataminerBuild);
  if (major <= 1) return compare(dm, v('10.3.8')) < 0;
  if (major === 2) return compare(dm, v('10.3.8')) >= 0 && compare(dm, v('10.4.0')) < 0;
  return compare(dm, v('10.4.0')) >= 0;
}

const PHASES = ['Stopping DataMiner', 'Running prerequisite checks', 'Extracting files', 'Installing files'];

function progressLines(run: NonNullable<AgentState['upgrade']>, now: number, stuck: boolean): { lines: string[]; done: boolean } {
  const stamp = (t: number): string => new Date(t).toISOString().replace('T', ' ').slice(0, 19);
  const lines = [`${stamp(run.startedAt)} Upgrade started with package ${run.packageFile} (${run.fromBuild} -> ${run.toBuild})`];
  const fraction = Math.min(1, (now - run.startedAt) / Math.max(1, run.durationMs));
  const steps = PHASES.length + 10;
  const reached = Math.floor(fraction * steps);
  for (let s = 0; s <= Math.min(reached, steps - 1); s++) {
    const t = run.startedAt + (s / steps) * run.durationMs;
    if (s < PHASES.length) {
      lines.push(`${stamp(t)} ${PHASES[s]}`);
      if (s === 1 && run.failedPrerequisite !== undefined) {
        lines.push(`${stamp(t)} Prerequisite check ${run.failedPrerequisite} failed. The upgrade was aborted.`);
        return { lines, done: true };
      }
    } else {
      lines.push(`${stamp(t)} Starting up (${(s - PHASES.length + 1) * 9}%)`);
    }
  }
  if (fraction >= 1) {
    lines.push(`${stamp(run.startedAt + run.durationMs)} Upgrade completed`);
    if (stuck) lines.push(`${stamp(run.startedAt + run.durationMs)} Starting up (95%)`);
  }
  return { lines, done: fraction >= 1 };
}

/** Brings the upgrade forward to `now`: progress.log, and on completion the version, VersionHistory.txt and status. */
export function advance(agentDir: string, now = Date.now()): void {
  withLock(agentDir, () => {
    const state = readState(agentDir);
    const run = state.upgrade;
    if (run === undefined || run.completed) return;
    const after: AgentState = { ...state, build: run.failedPrerequisite === undefined ? run.toBuild : run.fromBuild };
    const { lines, done } = progressLines(run, now, run.failedPrerequisite === undefined && stuckOnModules(after));
    writeAgentFile(agentDir, `${INSTALL_DIR}\\Upgrades\\Packages\\${run.packageFile}\\progress.log`, lines.join('\r\n') + '\r\n');
    if (!done) return;
    run.completed = true;
    if (run.failedPrerequisite === undefined) {
      state.build = run.toBuild;
      const stamp = new Date(run.startedAt + run.durationMs).toISOString().replace('T', ' ').slice(0, 19);
      const historyPath = hostPath(agentDir, VERSION_HISTORY) as string;
      fs.appendFileSync(historyPath, `${stamp};${run.toBuild}\r\n`);
      state.status = stuckOnModules(state) ? 'Starting' : 'Running';
    } else {
      state.status = 'Running';
    }
    for (const s of state.services) s.status = 'Running';
    writeState(agentDir, state);
  });
}

/** Exit code and message of the Taskbar Utility. */
export interface ProgramResult {
  exitCode: number;
  stdout?: string[];
  stderr?: string[];
}

function setRunning(state: AgentState, running: boolean): void {
  state.status = running ? (stuckOnModules(state) ? 'Starting' : 'Running') : 'Not running';
  for (const s of state.services) s.status = running ? 'Running' : 'Stopped';
}

export function taskbarUtility(agentDir: string, argv: string[]): ProgramResult {
  const action = (argv[0] ?? '').toLowerCase();
  return withLock(agentDir, () => {
    const state = readState(agentDir);
    if (state.upgrade !== undefined && !state.upgrade.completed && action !== '-upgrade') {
      return { exitCode: 1, stderr: ['An upgrade is in progress on this Agent. Wait until it has completed.'] };
    }
    switch (action) {
      case '-stop':
        setRunning(state, false);
        break;
      case '-start':
        setRunning(state, true);
        break;
      case '-restart':
        setRunning(state, true);
        break;
      case '-upgrade': {
        const pkgPath = argv[1];
        if (pkgPath === undefined) return { exitCode: 1, stderr: ['-upgrade requires the path of an upgrade package.'] };
        const local = hostPath(agentDir, pkgPath);
        if (local === undefined || !fs.existsSync(local)) return { exitCode: 2, stderr: [`The system cannot find the file specified: ${pkgPath}`] };
        if (argv[2] !== undefined) {
          const info = hostPath(agentDir, argv[2]);
          if (info === undefined || !fs.existsSync(info)) return { exitCode: 2, stderr: [`The system cannot find the file specified: ${argv[2]}`] };
        }
        let pkg: LabPackage;
        try {
          pkg = JSON.parse(fs.readFileSync(local, 'utf8')) as LabPackage;
          if (pkg.kind !== 'dmupgrade' || typeof pkg.build !== 'string') throw new Error('not a package');
        } catch {
          return { exitCode: 13, stderr: [`The upgrade package ${pkgPath} is invalid or corrupt.`] };
        }
        const packageFile = path.win32.basename(pkgPath);
        const progress = hostPath(agentDir, `${INSTALL_DIR}\\Upgrades\\Packages\\${packageFile}\\progress.log`) as string;
        if (fs.existsSync(progress) && /Upgrade completed/.test(fs.readFileSync(progress, 'utf8'))) {
          return { exitCode: 1, stderr: [`The package ${packageFile} has already been used for an upgrade and is marked as completed. Use a new package.`] };
        }
        const from = state.build;
        const downgradeFrom104 = compare(versionOf(from), v('10.4.0')) >= 0 && compare(versionOf(pkg.build), versionOf(from)) < 0;
        const failed = pkg.prerequisites.includes('VerifyNatsIsRunning') && downgradeFrom104 ? 'VerifyNatsIsRunning' : undefined;
        state.upgrade = {
          packageFile,
          packageWindowsPath: pkgPath,
          fromBuild: from,
          toBuild: pkg.build,
          startedAt: Date.now(),
          durationMs: state.upgradeDurationMs,
          completed: false,
          ...(failed === undefined ? {} : { failedPrerequisite: failed }),
        };
        setRunning(state, false);
        state.status = 'Stopping';
        break;
      }
      default:
        return { exitCode: 1, stderr: [`Unknown option ${argv[0] ?? '(none)'}. Use -stop, -start, -restart or -upgrade.`] };
    }
    writeState(agentDir, state);
    return { exitCode: 0 };
  });
}

function msiLog(agentDir: string, logPath: string | undefined, lines: string[]): void {
  if (logPath !== undefined && hostPath(agentDir, logPath) !== undefined) writeAgentFile(agentDir, logPath, lines.join('\r\n') + '\r\n');
}

/** msiexec /x {code} | /i <msi>, with /qn /norestart /l*v <log>. Exit codes as Windows Installer returns them. */
export function msiexec(agentDir: string, argv: string[]): ProgramResult {
  const lower = argv.map((a) => a.toLowerCase());
  const logIdx = lower.findIndex((a) => a.startsWith('/l'));
  const logPath = logIdx >= 0 ? argv[logIdx + 1] : undefined;
  return withLock(agentDir, () => {
    const state = readState(agentDir);
    const mode = lower[0];
    const target = argv[1];
    if ((mode !== '/x' && mode !== '/i') || target === undefined) return { exitCode: 1639 }; // ERROR_INVALID_COMMAND_LINE
    if (mode === '/x') {
      const idx = state.programs.findIndex((p) => p.productCode.toLowerCase() === target.toLowerCase());
      if (idx < 0) {
        msiLog(agentDir, logPath, [`MSI (s) Product: ${target} -- Error 1605. This action is only valid for products that are currently installed.`]);
        return { exitCode: 1605 };
      }
      const removed = state.programs.splice(idx, 1)[0] as Program;
      msiLog(agentDir, logPath, [`MSI (s) Product: ${removed.name} -- Removal completed successfully.`]);
      writeState(agentDir, state);
      return { exitCode: 0 };
    }
    const local = hostPath(agentDir, target);
    if (local === undefined || !fs.existsSync(local)) {
      msiLog(agentDir, logPath, [`MSI (c) Error 1619. This installation package could not be opened: ${target}`]);
      return { exitCode: 1619 };
    }
    const m = /^(.*) (\d+(?:\.\d+){1,3})\.msi$/i.exec(path.win32.basename(target));
    if (m?.[1] === undefined || m[2] === undefined) return { exitCode: 1620 }; // not a valid installer package (lab naming)
    const name = m[1];
    const version = m[2];
    const existing = findModule(state, name);
    if (existing !== undefined && compare(versionOf(existing.version), versionOf(version)) > 0) {
      msiLog(agentDir, logPath, [`MSI (s) Product: ${name} -- Error 1638. Another version of this product is already installed (${existing.version}).`]);
      return { exitCode: 1638 };
    }
    if (/UserDefinableApiEndpoint/i.test(name) && !apiEndpointCompatible(version, state.build)) {
      msiLog(agentDir, logPath, [
        `MSI (s) Product: ${name} -- Error 1001. ${name} ${version} is not compatible with DataMiner ${state.build}.`,
        `MSI (s) Product: ${name} -- Installation failed.`,
      ]);
      return { exitCode: 1603 };
    }
    state.programs = state.programs.filter((p) => p.name.toLowerCase() !== name.toLowerCase());
    state.programs.push({ name, version, productCode: productCodeFor(name, version), publisher: 'Skyline Communications' });
    msiLog(agentDir, logPath, [`MSI (s) Product: ${name} -- Installation completed successfully.`]);
    writeState(agentDir, state);
    return { exitCode: 0 };
  });
}
