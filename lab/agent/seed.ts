// The initial state of an emulated Agent at a given DataMiner version: VersionHistory.txt, the modules and programs
// installed for that version, the Tools\ModuleInstallers folder, the services, the Taskbar Utility.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compare, LabPackage, MODULE_INSTALLERS, productCodeFor, VERSION_HISTORY, versionOf, writeAgentFile } from './emulator/dataminer';
import { AgentState, Faults, Program, writeState } from './emulator/state';

export interface AgentSeed {
  name: string;
  /** `10.3.9` or a full build string such as `10.3.9.0-13201-20230830-release`. */
  version: string;
  defaultShell?: 'cmd' | 'powershell';
  /** Overrides the module versions installed for `version`. */
  modules?: { storageModule?: string | null; userDefinableApiEndpoint?: string | null };
  /** Installer files present in Tools\ModuleInstallers (default: the ones the downgrade MOP needs). */
  moduleInstallers?: string[];
  /** Default: the documented "Program Files (x86)" location. */
  taskbarUtility?: string;
  upgradeDurationMs?: number;
  faults?: Faults;
}

/** `10.3.9` -> `10.3.9.0-<build>-<date>-release`; a full build string is kept. */
export function buildString(version: string): string {
  if (/^\d+\.\d+\.\d+\.\d+-/.test(version)) return version;
  const v = versionOf(version);
  const build = 10000 + v[1] * 1000 + v[2] * 97 + v[3];
  return `${v[0]}.${v[1]}.${v[2]}.${v[3]}-${build}-2023${String((v[2] % 12) + 1).padStart(2, '0')}15-release`;
}

/** Module versions that ship with a DataMiner version (domain.md compatibility). */
export function defaultModules(version: string): { storageModule: string | null; userDefinableApiEndpoint: string | null } {
  const v = versionOf(version);
  const at = (s: string): boolean => compare(v, versionOf(s)) >= 0;
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

/** An earlier history for the Agent: two older builds, then the current one. */
function history(build: string): string[] {
  const v = versionOf(build);
  const older = [`${v[0]}.${Math.max(0, v[1] - 1)}.0.0-${9000 + v[1]}-20220310-release`, `${v[0]}.${v[1]}.0.0-${10000 + v[1] * 1000}-20230112-release`];
  return [`2022-03-27 11:16:35;${older[0]}`, `2023-01-20 09:02:11;${older[1]}`, `2023-09-05 14:40:02;${build}`];
}

/** Writes state.json and the C: tree of a new Agent into `agentDir`. */
export function seedAgent(agentDir: string, seed: AgentSeed): AgentState {
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
  };
  writeAgentFile(agentDir, VERSION_HISTORY, history(build).join('\r\n') + '\r\n');
  for (const file of seed.moduleInstallers ?? DEFAULT_MODULE_INSTALLERS) writeAgentFile(agentDir, `${MODULE_INSTALLERS}\\${file}`, `lab installer ${file}\n`);
  writeAgentFile(agentDir, taskbar, 'lab stand-in for SLTaskbarUtility.exe\n');
  fs.mkdirSync(path.join(agentDir, 'C', 'Skyline DataMiner', 'Upgrades', 'Packages'), { recursive: true });
  fs.mkdirSync(path.join(agentDir, 'C', 'Users'), { recursive: true });
  writeState(agentDir, state);
  return state;
}

/** The content of a lab upgrade package for `version` (upload it, or place it with AgentLab.placeFile). */
export function labPackage(version: string, prerequisites: string[] = []): string {
  const pkg: LabPackage = { kind: 'dmupgrade', build: buildString(version), prerequisites };
  return JSON.stringify(pkg);
}
