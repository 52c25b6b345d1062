// Child process of the sandbox: starts the Agent lab (detached sshds that outlive this process, stopped later by PID
// from the lab's lab.json) and reports where its Agents listen. If start-up fails or this process is signalled
// mid-way, startLab itself stops the sshds it had started.
import { startLab } from '../agent/lab';
import { childInput, tell } from './child';

export interface AgentChildInput {
  dir: string;
  userPrefix: string;
  count: number;
  version: string;
}

export interface AgentChildReady {
  clientKey: string;
  knownHostsLines: string[];
  agents: Array<{ name: string; port: number; user: string; pid: number; fingerprint: string }>;
}

async function main(): Promise<void> {
  const input = childInput<AgentChildInput>();
  const lab = await startLab({
    dir: input.dir,
    userPrefix: input.userPrefix,
    detached: true,
    agents: Array.from({ length: input.count }, (_, i) => ({
      name: `dma-${String(i + 1).padStart(2, '0')}`,
      version: input.version,
      defaultShell: 'cmd' as const,
      // The module versions that make the downgrade to 10.3.4–10.3.7 need the MOP's per-Agent module swap.
      modules: { storageModule: '3.0.3', userDefinableApiEndpoint: '2.0.2' },
    })),
  });
  await tell<AgentChildReady>({
    type: 'ready',
    data: {
      clientKey: lab.clientKeyPath,
      knownHostsLines: lab.knownHostsLines(),
      agents: lab.agents.map((a) => ({ name: a.name, port: a.port, user: a.user, pid: a.pid, fingerprint: a.hostKeyFingerprint })),
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
