// Facts of a pretend DMS for planner tests: what gatherDmsFacts would have read from each Agent.
import type { DmsFacts, PlannedAgentFacts } from '../../../src/procedures/dataminer/facts';
import type { ModuleVersion } from '../../../src/core/dataminer/agent-output';
import type { LocalAction } from '../../../src/core/plan';
import type { PackageRouteInput } from '../../../src/procedures/dataminer/package-route';
import type { PackageTool } from '../../../src/core/dataminer/package-tool';
import { parseVersion } from '../../../src/procedures/dataminer/version';
import { DEFAULT_AGENT_PATHS } from '../../../src/core/dataminer/windows-commands';

export const ALL_INSTALLERS = [
  'DataMiner StorageModule 1.0.0.msi',
  'DataMiner StorageModule 1.0.1.msi',
  'DataMiner StorageModule 3.0.3.msi',
  'DataMiner UserDefinableApiEndpoint 1.0.2.msi',
  'DataMiner UserDefinableApiEndpoint 1.1.1.msi',
  'DataMiner UserDefinableApiEndpoint 2.0.2.msi',
];

export function code(n: number): string {
  return `{0000000${n}-0000-0000-0000-00000000000${n}}`;
}

export function agent(name: string, build: string, options: { modules?: ModuleVersion[]; installers?: string[]; shell?: 'cmd' | 'powershell'; previous?: string } = {}): PlannedAgentFacts {
  const history = [
    { installedAt: '2023-01-20 09:02:11', build: options.previous ?? '10.3.5.0-13485-20230615-release', version: '' },
    { installedAt: '2023-09-05 14:40:02', build, version: '' },
  ];
  return {
    agent: { name, address: `10.0.0.${name.slice(-1)}` },
    reachable: true,
    failures: [],
    shell: options.shell ?? 'cmd',
    paths: DEFAULT_AGENT_PATHS,
    taskbarUtility: DEFAULT_AGENT_PATHS.taskbarUtility,
    version: history[1] as (typeof history)[number],
    running: parseVersion(build),
    history,
    modules: options.modules ?? [
      { module: 'DataMiner StorageModule', version: '3.0.3', productCode: code(1) },
      { module: 'DataMiner UserDefinableApiEndpoint', version: '2.0.2', productCode: code(2) },
    ],
    installers: options.installers ?? ALL_INSTALLERS,
  };
}

export function dms(agents: PlannedAgentFacts[]): DmsFacts {
  return { agents, version: (agents[0] as PlannedAgentFacts).running };
}

/** A package tool for planner tests: the planner only names the fix command, it never inspects. */
export const plannerTool: PackageTool = {
  inspect: () => Promise.reject(new Error('not used by the planner')),
  fixCommand: (source, destination): LocalAction => ({ kind: 'local', argv: ['fix', source, destination] }),
};

/** Route B input from one version to another with the defaults of the procedure's parameters, overridden by `over`. */
export function routeInput(from: string, to: string, over: Partial<PackageRouteInput> = {}): PackageRouteInput {
  return {
    dms: 'lab',
    from: parseVersion(from),
    to: parseVersion(to),
    packages: [],
    inspections: {},
    tool: plannerTool,
    moduleSwap: 'auto',
    fixPrerequisite: 'auto',
    upgradeScope: 'cluster',
    upgradeTimeoutMinutes: 60,
    acknowledgeNoNatsRollback: false,
    backup: { how: 'taskbar-utility' },
    ...over,
  };
}
