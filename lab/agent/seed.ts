// The initial state of an emulated Agent at a given DataMiner version: VersionHistory.txt, the modules and programs
// installed for that version, the Tools\ModuleInstallers folder, the services, the Taskbar Utility.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LabPackage, MODULE_INSTALLERS, productCodeFor, VERSION_HISTORY, writeAgentFile } from './emulator/dataminer';
import { AgentState, Faults, Program, writeState } from './emulator/state';
import { carriesVerifyNatsIsRunning, labVersion, releaseAtLeast } from './emulator/versions';

export interface AgentSeed {
  name: string;
  /** `10.3.9`, `10.3.0 [CU10]`, or a full build string such as `10.3.9.0-13201-20230830-release`. */
  version: string;
  /** The DMS the Agent belongs to (default `dms`): a cluster upgrade reaches the Agents of one DMS. */
  dms?: string;
  /** The address its DMS knows it by (UpgradeInfo.xml Agents/IP); its sshd listens there too. Default: given by the lab. */
  address?: string;
  defaultShell?: 'cmd' | 'powershell';
  /** Overrides the module versions installed for `version`. */
  modules?: { storageModule?: string | null; userDefinableApiEndpoint?: string | null };
  /** Installer files present in Tools\ModuleInstallers (default: the ones the downgrade MOP needs). */
  moduleInstallers?: string[];
  /** Default: the documented "Program Files (x86)" location. */
  taskbarUtility?: string;
  upgradeDurationMs?: number;
  faults?: Faults;
  /** The versions the Agent ran before `version`, oldest first (VersionHistory.txt); default: two older builds. */
  history?: string[];
}

/**
 * `10.3.9` -> `10.3.9.0-<build>-<date>-release`; `10.3.0 [CU10]` -> `10.3.0.0-<build>-CU10` (the form that names a CU,
 * e.g. "10.2.0.0-11897-CU4"); a full build string is kept. Build numbers rise with the version, as DataMiner's do.
 */
export function buildString(version: string): string {
  if (/^\d+\.\d+\.\d+\.\d+-/.test(version)) return version;
  const v = labVersion(version);
  const build = 10000 + v.minor * 1000 + v.release * 60 + v.cu;
  if (v.cu > 0) return `${v.major}.${v.minor}.${v.release}.0-${build}-CU${v.cu}`;
  return `${v.major}.${v.minor}.${v.release}.0-${build}-2023${String((v.release % 12) + 1).padStart(2, '0')}15-release`;
}

/** Module versions that ship with a DataMiner version (domain.md compatibility). */
export function defaultModules(version: string): { storageModule: string | null; userDefinableApiEndpoint: string | null } {
  const v = labVersion(version);
  const at = (s: string): boolean => {
    const [a, b, c] = s.split('.').map(Number) as [number, number, number];
    return releaseAtLeast(v, a, b, c);
  };
  if (at('10.4.0')) return { storageModule: '3.0.3', userDefinableApiEndpoint: '3.1.0' };
  if (at('10.3.8')) return { storageModule: '3.0.3', userDefinableApiEndpoint: '2.0.2' };
  if (at('10.3.4')) return { storageModule: '1.0.1', userDefinableApiEndpoint: '1.1.1' };
  return { storageModule: null, userDefinableApiEndpoint: null };
}

export const DEFAULT_MODULE_INSTALLERS = [
  'DataMiner StorageModule 1.0.1.msi',
  'DataMiner StorageModule 3.0.3.msi',
  'DataMiner UserDefinableApiEndpoint 1.1.1.msi',
  'DataMiner UserDefinableApiEndpoint 2.0.2.msi',
];

export const TASKBAR_UTILITY_X86 = 'C:\\Program Files (x86)\\Skyline Communications\\Skyline Taskbar Utility\\SLTaskbarUtility.exe';

const SERVICES = ['SLNet', 'SLWatchdog', 'NAS', 'NATS', 'DataMiner UserDefinableApiEndpoint', 'StorageModule'];

/**
 * The Agent's VersionHistory.txt: a line per version it ran, dated when it first started on it
 * (`2025-03-27 11:16:35;10.5.4.0-15588-20250319-release`, see shared notes), the current one last. `previous` gives
 * the earlier versions; by default two older builds.
 */
function history(build: string, previous?: readonly string[]): string[] {
  const v = labVersion(build);
  const older = previous?.map(buildString) ?? [`${v.major}.${Math.max(0, v.minor - 1)}.0.0-${9000 + v.minor}-20220310-release`, `${v.major}.${v.minor}.0.0-${10000 + v.minor * 1000}-20230112-release`];
  const dates = ['2020-06-02 08:15:40', '2021-04-19 16:21:07', '2022-03-27 11:16:35', '2023-01-20 09:02:11', '2023-09-05 14:40:02'];
  return [...older, build].map((b, i, all) => `${dates[dates.length - all.length + i] ?? dates[0]};${b}`);
}

/** Writes state.json and the C: tree of a new Agent into `agentDir`; `dmsDir` is its DMS's shared lab folder. */
export function seedAgent(agentDir: string, seed: AgentSeed & { address: string }, dmsDir: string): AgentState {
  fs.mkdirSync(path.join(agentDir, 'C'), { recursive: true });
  const build = buildString(seed.version);
  const mods = { ...defaultModules(build), ...(seed.modules ?? {}) };
  const programs: Program[] = [
    { name: 'Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.36.32532', version: '14.36.32532.0', productCode: '{3746F21B-C990-4045-BB33-1CF98CFF7A68}', publisher: 'Microsoft Corporation' },
  ];
  if (mods.storageModule != null) programs.push({ name: 'DataMiner StorageModule', version: mods.storageModule, productCode: productCodeFor('DataMiner StorageModule', mods.storageModule), publisher: 'Skyline Communications' });
  if (mods.userDefinableApiEndpoint != null) {
    programs.push({ name: 'DataMiner UserDefinableApiEndpoint', version: mods.userDefinableApiEndpoint, productCode: productCodeFor('DataMiner UserDefinableApiEndpoint', mods.userDefinableApiEndpoint), publisher: 'Skyline Communications' });
  }
  const taskbar = seed.taskbarUtility ?? TASKBAR_UTILITY_X86;
  const state: AgentState = {
    name: seed.name,
    defaultShell: seed.defaultShell ?? 'cmd',
    build,
    status: 'Running',
    programs,
    services: SERVICES.map((name) => ({ name, status: 'Running' })),
    upgradeDurationMs: seed.upgradeDurationMs ?? 3000,
    faults: seed.faults ?? {},
    sessions: 0,
    taskbarUtility: taskbar,
    address: seed.address,
    dmsDir,
    usedPackages: [],
    joinedUpgrades: [],
  };
  writeAgentFile(agentDir, VERSION_HISTORY, history(build, seed.history).join('\r\n') + '\r\n');
  for (const file of seed.moduleInstallers ?? DEFAULT_MODULE_INSTALLERS) writeAgentFile(agentDir, `${MODULE_INSTALLERS}\\${file}`, `lab installer ${file}\n`);
  writeAgentFile(agentDir, taskbar, 'lab stand-in for SLTaskbarUtility.exe\n');
  fs.mkdirSync(path.join(agentDir, 'C', 'Skyline DataMiner', 'Upgrades', 'Packages'), { recursive: true });
  fs.mkdirSync(path.join(agentDir, 'C', 'Users'), { recursive: true });
  writeState(agentDir, state);
  return state;
}

/**
 * The content of a lab upgrade package for `version` (upload it, or place it with AgentLab.placeFile). Without
 * `prerequisites`, it carries the NATS check the vendor's package of that version has: VerifyNatsIsRunning from
 * 10.2.7/10.2.0 [CU14] until 10.5.3/10.5.0 [CU0], VerifyNatsCluster after (VerifyNatsIsRunning.md).
 */
export function labPackage(version: string, prerequisites?: string[]): string {
  const build = buildString(version);
  const v = labVersion(build);
  const nats = carriesVerifyNatsIsRunning(v) ? ['VerifyNatsIsRunning'] : releaseAtLeast(v, 10, 5, 0) ? ['VerifyNatsCluster'] : [];
  const pkg: LabPackage = { kind: 'dmupgrade', build, prerequisites: prerequisites ?? ['VerifyClusterPorts', ...nats] };
  return JSON.stringify(pkg);
}
