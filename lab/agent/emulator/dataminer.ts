// How an emulated Agent's DataMiner behaves (notes/domain.md): the Taskbar Utility's stop/start/restart/upgrade,
// upgrades that progress through "Starting up (xx%)" to completed and append VersionHistory.txt, the module
// compatibility rules of UserDefinableApiEndpoint and the known downgrade traps, and msiexec for the module installers.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { recordEffect } from './effects';
import { AgentState, DmsMember, hostPath, Program, readState, UpgradeRun, withLock, writeState } from './state';
import { readPackage } from './package-file';
import { labVersion, releaseAtLeast, usesMessageBrokerNuget } from './versions';

export const INSTALL_DIR = 'C:\\Skyline DataMiner';
export const VERSION_HISTORY = `${INSTALL_DIR}\\Upgrades\\VersionHistory.txt`;
export const MODULE_INSTALLERS = `${INSTALL_DIR}\\Tools\\ModuleInstallers`;
export const PACKAGES_DIR = `${INSTALL_DIR}\\Upgrades\\Packages`;

/** The content of a lab upgrade package (a real one is a zip; the lab writes this JSON instead). */
export interface LabPackage {
  kind: 'dmupgrade';
  build: string;
  /** Prerequisite checks in the package's Update.zip\Prerequisites, e.g. VerifyNatsIsRunning. */
  prerequisites: string[];
}

/** A module version (StorageModule 3.0.3, UserDefinableApiEndpoint 1.1.1) as four numbers; not for DataMiner builds. */
export type Version = [number, number, number, number];

export function versionOf(text: string): Version {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
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
  const ver = labVersion(state.build);
  if (ver.major !== 10 || ver.minor !== 3 || !releaseAtLeast(ver, 10, 3, 4) || releaseAtLeast(ver, 10, 3, 8)) return false;
  const storage = findModule(state, 'DataMiner StorageModule');
  const api = findModule(state, 'DataMiner UserDefinableApiEndpoint');
  return (storage !== undefined && compare(versionOf(storage.version), v('3.0.3')) >= 0) || (api !== undefined && compare(versionOf(api.version), v('2.0.0')) >= 0);
}

/** UserDefinableApiEndpoint versions a DataMiner version accepts (domain.md); a mismatch fails with error 1001. */
export function apiEndpointCompatible(apiVersion: string, dataminerBuild: string): boolean {
  const major = versionOf(apiVersion)[0];
  const dm = labVersion(dataminerBuild);
  if (major <= 1) return !releaseAtLeast(dm, 10, 3, 8);
  if (major === 2) return releaseAtLeast(dm, 10, 3, 8) && !releaseAtLeast(dm, 10, 4, 0);
  return releaseAtLeast(dm, 10, 4, 0);
}

const PHASES = ['Stopping DataMiner', 'Running prerequisite checks', 'Extracting files', 'Installing files'];
const stamp = (t: number): string => new Date(t).toISOString().replace('T', ' ').slice(0, 19);

function progressLines(run: UpgradeRun, now: number, stuck: boolean): { lines: string[]; done: boolean } {
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
    // MOP "Downgrading a DMS", step 3.1: "The upgrade status will keep showing "Starting up (xx%)" at this stage."
    if (stuck) lines.push(`${stamp(run.startedAt + run.durationMs)} Starting up (95%)`);
  }
  return { lines, done: fraction >= 1 };
}

/** The DMS's shared folder: who its members are, and the cluster upgrades started on one of them. */
function members(state: AgentState): DmsMember[] {
  const file = path.join(state.dmsDir, 'members.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as DmsMember[]) : [{ name: state.name, address: state.address }];
}

interface PushedUpgrade {
  id: string;
  drivenBy: string;
  targets: string[];
  packageFile: string;
  packageWindowsPath: string;
  toBuild: string;
  startedAt: number;
  durationMs: number;
}

function pushedDir(state: AgentState): string {
  return path.join(state.dmsDir, 'upgrades');
}

/**
 * An Agent listed in the UpgradeInfo.xml of a cluster upgrade started on another Agent takes part in it: "one upgrade
 * upgrades the DMS" (MOP "Upgrading a DMA/DMS": Agents > Manage > Upgrade, "All Agents in cluster"; UpgradeInfo.xml
 * Agents/IP). The lab's Agents learn of it from their DMS's shared folder the next time they are asked anything.
 */
function joinPushedUpgrade(state: AgentState): boolean {
  if (state.upgrade !== undefined && !state.upgrade.completed) return false;
  const dir = pushedDir(state);
  if (!fs.existsSync(dir)) return false;
  const pending = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as PushedUpgrade)
    .filter((u) => u.targets.includes(state.address) && !state.joinedUpgrades.includes(u.id))
    .sort((a, b) => a.startedAt - b.startedAt);
  const u = pending[0];
  if (u === undefined) return false;
  state.joinedUpgrades.push(u.id);
  state.upgrade = { packageFile: u.packageFile, packageWindowsPath: u.packageWindowsPath, fromBuild: state.build, toBuild: u.toBuild, startedAt: u.startedAt, durationMs: u.durationMs, completed: false, drivenBy: u.drivenBy };
  return true;
}

/** VersionHistory.txt: "the date is when the DMA was first started after that upgrade" (domain.md). */
function firstStart(agentDir: string, state: AgentState, at: number): void {
  if (state.pendingHistory === undefined) return;
  fs.appendFileSync(hostPath(agentDir, VERSION_HISTORY) as string, `${stamp(at)};${state.pendingHistory}\r\n`);
  delete state.pendingHistory;
}

/** Brings the upgrade forward to `now`: progress.log, and on completion the version, the start and VersionHistory.txt. */
export function advance(agentDir: string, now = Date.now()): void {
  withLock(agentDir, () => {
    const state = readState(agentDir);
    const joined = joinPushedUpgrade(state);
    const run = state.upgrade;
    if (run === undefined || run.completed) {
      if (joined) writeState(agentDir, state);
      return;
    }
    if (now >= run.startedAt && state.status === 'Running') {
      state.status = 'Stopping';
      for (const s of state.services) s.status = 'Stopped';
    }
    const after: AgentState = { ...state, build: run.failedPrerequisite === undefined ? run.toBuild : run.fromBuild };
    const { lines, done } = progressLines(run, now, run.failedPrerequisite === undefined && stuckOnModules(after));
    if (run.folder !== undefined) writeAgentFile(agentDir, `${PACKAGES_DIR}\\${run.folder}\\progress.log`, lines.join('\r\n') + '\r\n');
    if (!done) {
      writeState(agentDir, state);
      return;
    }
    run.completed = true;
    for (const s of state.services) s.status = 'Running';
    if (run.failedPrerequisite === undefined) {
      state.build = run.toBuild;
      state.pendingHistory = run.toBuild;
      // "After you have used a specific package to execute an upgrade, it is marked as completed" (MOP "Upgrading a DMA/DMS").
      if (run.drivenBy === undefined) state.usedPackages.push(run.packageWindowsPath.toLowerCase());
      if (stuckOnModules(state)) state.status = 'Starting';
      else {
        state.status = 'Running';
        firstStart(agentDir, state, run.startedAt + run.durationMs);
      }
    } else {
      state.status = 'Running';
    }
    writeState(agentDir, state);
  });
}

/** Exit code and message of the Taskbar Utility. */
export interface ProgramResult {
  exitCode: number;
  stdout?: string[];
  stderr?: string[];
}

function setRunning(agentDir: string, state: AgentState, running: boolean): void {
  for (const s of state.services) s.status = running ? 'Running' : 'Stopped';
  if (!running) {
    state.status = 'Not running';
    return;
  }
  // MOP "Downgrading a DMS", step 3: after 10.3.8+ → 10.3.4–10.3.7 DataMiner stays "Starting up" until the modules are swapped.
  state.status = stuckOnModules(state) ? 'Starting' : 'Running';
  if (state.status === 'Running') firstStart(agentDir, state, Date.now());
}

/** What UpgradeInfo.xml says (Agents/IP, IsCluster; the Taskbar Utility's documented file). */
export function readUpgradeInfo(xml: string): { ips: string[]; isCluster: boolean } | undefined {
  const text = xml.replace(/^\uFEFF/, '');
  if (!/<UpgradeInfo>[\s\S]*<\/UpgradeInfo>/.test(text)) return undefined;
  const agents = /<Agents>([\s\S]*?)<\/Agents>/.exec(text)?.[1] ?? '';
  const ips = [...agents.matchAll(/<IP>\s*([^<\s]+)\s*<\/IP>/g)].map((m) => m[1] as string);
  return { ips, isCluster: /<IsCluster>\s*true\s*<\/IsCluster>/i.test(text) };
}

/**
 * Which Agents an upgrade started here upgrades. Refused, as the Taskbar Utility refuses a list it cannot act on: an
 * address that is no Agent of this DMS, one listed twice, or IsCluster with some Agents left out ("all DMAs in a cluster
 * must run the same DataMiner version"; rolling upgrades are not supported — MOP "Upgrading a DMA/DMS").
 */
function upgradeTargets(state: AgentState, info: { ips: string[]; isCluster: boolean } | undefined): { targets: DmsMember[] } | { error: string } {
  const all = members(state);
  if (info === undefined) return { targets: all.filter((m) => m.address === state.address) };
  if (info.ips.length === 0) return { error: 'UpgradeInfo.xml lists no Agents (<Agents><IP>…</IP></Agents>).' };
  const seen = new Set<string>();
  const targets: DmsMember[] = [];
  for (const ip of info.ips) {
    if (seen.has(ip)) return { error: `UpgradeInfo.xml lists Agent ${ip} more than once.` };
    seen.add(ip);
    const m = all.find((x) => x.address === ip);
    if (m === undefined) return { error: `UpgradeInfo.xml lists ${ip}, which is not an Agent of this DMS (its Agents: ${all.map((x) => x.address).join(', ')}).` };
    targets.push(m);
  }
  // The lab's choice where the documents are silent: an upgrade started on an Agent includes that Agent.
  if (!seen.has(state.address)) return { error: `UpgradeInfo.xml does not list this Agent (${state.address}); start the upgrade on an Agent it lists.` };
  if (info.isCluster) {
    const missing = all.filter((m) => !seen.has(m.address));
    if (missing.length > 0) return { error: `IsCluster is true but UpgradeInfo.xml leaves out ${missing.map((m) => m.address).join(', ')}: every DMA of a cluster must run the same DataMiner version.` };
  }
  return { targets };
}

/** `C:\Skyline DataMiner Backups\`: the default backup folder (domain.md, Backups). */
export const BACKUP_DIR = 'C:\\Skyline DataMiner Backups';

export function taskbarUtility(agentDir: string, argv: string[]): ProgramResult {
  const action = (argv[0] ?? '').toLowerCase();
  return withLock(agentDir, () => {
    const state = readState(agentDir);
    if (state.upgrade !== undefined && !state.upgrade.completed) {
      return { exitCode: 1, stderr: ['An upgrade is in progress on this Agent. Wait until it has completed.'] };
    }
    switch (action) {
      case '-stop':
        setRunning(agentDir, state, false);
        break;
      case '-start':
      case '-restart':
        setRunning(agentDir, state, true);
        break;
      case '-backup': {
        // Taskbar Utility command line: -backup takes a DataMiner backup into the default backup folder.
        const name = `Backup_${state.name}_${new Date().toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15)}.dmbackup`;
        writeAgentFile(agentDir, `${BACKUP_DIR}\\${name}`, JSON.stringify({ kind: 'dmbackup', agent: state.name, build: state.build }));
        break;
      }
      case '-upgrade': {
        const pkgPath = argv[1];
        if (pkgPath === undefined) return { exitCode: 1, stderr: ['-upgrade requires the path of an upgrade package.'] };
        const local = hostPath(agentDir, pkgPath);
        if (local === undefined || !fs.existsSync(local)) return { exitCode: 2, stderr: [`The system cannot find the file specified: ${pkgPath}`] };
        let info: { ips: string[]; isCluster: boolean } | undefined;
        if (argv[2] !== undefined) {
          const infoFile = hostPath(agentDir, argv[2]);
          if (infoFile === undefined || !fs.existsSync(infoFile)) return { exitCode: 2, stderr: [`The system cannot find the file specified: ${argv[2]}`] };
          info = readUpgradeInfo(fs.readFileSync(infoFile, 'utf8'));
          if (info === undefined) return { exitCode: 13, stderr: [`${argv[2]} is not an UpgradeInfo.xml document.`] };
        }
        const pkg = readPackage(local);
        try {
          if (pkg === undefined) throw new Error('not a package');
          labVersion(pkg.build);
        } catch {
          return { exitCode: 13, stderr: [`The upgrade package ${pkgPath} is invalid or corrupt.`] };
        }
        const packageFile = path.win32.basename(pkgPath);
        if (state.usedPackages.includes(pkgPath.toLowerCase())) {
          return { exitCode: 1, stderr: [`The package ${packageFile} has already been used for an upgrade and is marked as completed. Use a new package.`] };
        }
        const chosen = upgradeTargets(state, info);
        if ('error' in chosen) return { exitCode: 1, stderr: [chosen.error] };
        // KI_Downgrade_fails_VerifyNatsIsRunning_prerequisite: the check inside a package prior to 10.4.0/10.4.3 expects
        // SLMessageBroker.dll, which a DMA running 10.4.0/10.4.3 or later no longer has.
        const failed =
          pkg.prerequisites.includes('VerifyNatsIsRunning') && usesMessageBrokerNuget(labVersion(state.build)) && !usesMessageBrokerNuget(labVersion(pkg.build))
            ? 'VerifyNatsIsRunning'
            : undefined;
        // Each upgrade run gets its own folder Upgrades\Packages\<package file>-<32 hex> (VerifyClusterPorts.dmupgrade.md,
        // BrokerGateway_Migration.md: "NATSMigration.dmupgrade-XXX\progress.log").
        const folder = `${packageFile}-${crypto.randomBytes(16).toString('hex')}`;
        fs.mkdirSync(hostPath(agentDir, `${PACKAGES_DIR}\\${folder}`) as string, { recursive: true });
        const startedAt = Date.now();
        state.upgrade = {
          packageFile,
          packageWindowsPath: pkgPath,
          fromBuild: state.build,
          toBuild: pkg.build,
          startedAt,
          durationMs: state.upgradeDurationMs,
          completed: false,
          folder,
          ...(failed === undefined ? {} : { failedPrerequisite: failed }),
        };
        const others = chosen.targets.filter((m) => m.address !== state.address);
        if (failed === undefined && others.length > 0) {
          const pushed: PushedUpgrade = { id: folder, drivenBy: state.name, targets: others.map((m) => m.address), packageFile, packageWindowsPath: pkgPath, toBuild: pkg.build, startedAt, durationMs: state.upgradeDurationMs };
          fs.mkdirSync(pushedDir(state), { recursive: true });
          fs.writeFileSync(path.join(pushedDir(state), `${folder}.json`), JSON.stringify(pushed));
        }
        state.status = 'Stopping';
        for (const s of state.services) s.status = 'Stopped';
        break;
      }
      default:
        return { exitCode: 1, stderr: [`Unknown option ${argv[0] ?? '(none)'}. Use -stop, -start, -restart, -backup or -upgrade.`] };
    }
    writeState(agentDir, state);
    recordEffect(agentDir, action === '-backup' ? 'backup' : action === '-stop' ? 'stop' : action === '-upgrade' ? 'upgrade' : 'start', argv.slice(1).join(' ') || action);
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
      recordEffect(agentDir, 'uninstall', `${removed.name} ${removed.version} ${removed.productCode}`);
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
    recordEffect(agentDir, 'install', `${name} ${version}`);
    return { exitCode: 0 };
  });
}
