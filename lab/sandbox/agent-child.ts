// Child process of the sandbox: starts the Agent lab (detached sshds that outlive this process, stopped later by PID
// from the lab's lab.json) with the sandbox's DataMiner Systems (dms.ts), puts each DMS's packages on its Agents and
// the same packages as local files beside the lab, and reports where its Agents listen. If start-up fails or this
// process is signalled mid-way, startLab itself stops the sshds it had started.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startLab } from '../agent/lab';
import { writeZipPackage } from '../agent/package-zip';
import { buildString, labPackage } from '../agent/seed';
import { childInput, tell } from './child';
import { agentPackagePath, SANDBOX_DMSS } from './dms';

export interface AgentChildInput {
  dir: string;
  userPrefix: string;
  /** Overrides the number of Agents of the first DMS (lab-dms). */
  count?: number;
  /** Overrides the version of the first DMS (lab-dms). */
  version?: string;
}

export interface AgentChildReady {
  clientKey: string;
  knownHostsLines: string[];
  agents: Array<{ name: string; dms: string; address: string; version: string; port: number; user: string; pid: number; fingerprint: string }>;
  /** Per DMS: the packages on its Agents, and the same packages as local files (for a local pick and the VerifyNatsIsRunning fix). */
  packages: Array<{ dms: string; onAgents: string[]; localFiles: string[] }>;
}

/** The folder beside the Agent lab that holds the sandbox's local package files. */
export function localPackagesDir(labDir: string): string {
  return path.join(labDir, 'packages');
}

async function main(): Promise<void> {
  const input = childInput<AgentChildInput>();
  const systems = SANDBOX_DMSS.map((d, i) =>
    i === 0 ? { ...d, version: input.version ?? d.version, agents: input.count === undefined ? d.agents : Array.from({ length: input.count }, (_, k) => `dma-${String(k + 1).padStart(2, '0')}`) } : d,
  );
  const lab = await startLab({
    dir: input.dir,
    userPrefix: input.userPrefix,
    detached: true,
    agents: systems.flatMap((d) =>
      d.agents.map((name) => ({ name, dms: d.name, version: d.version, history: d.history, defaultShell: 'cmd' as const, ...(d.modules === undefined ? {} : { modules: d.modules }) })),
    ),
  });
  const local = localPackagesDir(input.dir);
  fs.mkdirSync(local, { recursive: true });
  const packages: AgentChildReady['packages'] = [];
  for (const d of systems) {
    const onAgents = d.packages.map(agentPackagePath);
    for (const name of d.agents) d.packages.forEach((v, k) => lab.placePackage(name, onAgents[k] as string, v));
    const localFiles: string[] = [];
    for (const v of d.packages) {
      const file = path.join(local, path.win32.basename(agentPackagePath(v)));
      const content = JSON.parse(labPackage(v)) as { prerequisites: string[] };
      await writeZipPackage(file, buildString(v), content.prerequisites);
      localFiles.push(file);
    }
    packages.push({ dms: d.name, onAgents, localFiles });
  }
  await tell<AgentChildReady>({
    type: 'ready',
    data: {
      clientKey: lab.clientKeyPath,
      knownHostsLines: lab.knownHostsLines(),
      agents: lab.agents.map((a) => ({ name: a.name, dms: a.dms, address: a.address, version: systems.find((d) => d.name === a.dms)?.version ?? '', port: a.port, user: a.user, pid: a.pid, fingerprint: a.hostKeyFingerprint })),
      packages,
    },
  });
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    await tell({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  },
);
