// The Agent lab shared by every SSH integration suite of one mocha process: started on first use, stopped by the
// global teardown. Agents are assigned to suites by name so that suites that change an Agent do not disturb others.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AgentLab, startLab } from '../../../lab/agent/lab';
import type { AgentSeed } from '../../../lab/agent/seed';
import { registerTeardown } from '../teardown';

export const AGENT_COUNT = 20;
export const LAB_PASSWORD = 'Lab-Passw0rd!';

let lab: Promise<AgentLab> | undefined;

/** dma-01..dma-20 at 10.3.9 (cmd.exe), except dma-02 whose DefaultShell is PowerShell; plus a jump host. */
export function sharedLab(): Promise<AgentLab> {
  lab ??= (async () => {
    const agents: AgentSeed[] = Array.from({ length: AGENT_COUNT }, (_, i) => ({
      name: `dma-${String(i + 1).padStart(2, '0')}`,
      version: '10.3.9',
      defaultShell: i === 1 ? 'powershell' : 'cmd',
      upgradeDurationMs: 1500,
    }));
    // Own user prefix: other suites may run labs at the same time, and this one sets a password on its users.
    const started = await startLab({ agents, jumpHost: true, password: LAB_PASSWORD, userPrefix: 'bkssh' });
    registerTeardown(async () => {
      await started.stop();
      fs.rmSync(started.dir, { recursive: true, force: true });
    });
    return started;
  })();
  return lab;
}

/** A fresh temp folder removed at teardown (for known_hosts files, SSH configs, keys). */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `backout-${prefix}-`));
  registerTeardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
