// Child process of the sandbox: installs code-server once (through the harness's cache) and runs it with the packaged
// extension, isolated as the harness does. It stops code-server's whole process group on SIGTERM/SIGINT, and also
// when the sandbox itself disappears (the IPC channel closes), so a killed sandbox does not leave a VS Code behind.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureCodeServer } from '../../test/harness/cache';
import { startCodeServer, type CodeServer } from '../../test/harness/code-server';
import { childInput, tell } from './child';

export interface CodeServerChildInput {
  workspace: string;
  scratch: string;
  port?: number;
  vsix: string;
  userSettings: Record<string, unknown>;
  env: Record<string, string>;
}

export interface CodeServerChildReady {
  url: string;
  port: number;
  logFile: string;
}

let server: CodeServer | undefined;
let stopping = false;

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server?.stop().catch(() => undefined);
  process.exit(code);
}

async function main(): Promise<void> {
  const input = childInput<CodeServerChildInput>();
  const log = (line: string): void => void tell({ type: 'log', line });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void stop(0));
  process.on('disconnect', () => void stop(0));
  await ensureCodeServer(log);
  // Backout's settings are machine-scoped. With code-server's remote extension host, VS Code reads those from the
  // remote machine's settings (<user-data>/Machine/settings.json) and ignores them in the User settings, which the
  // harness writes; so they go into both.
  const machine = path.join(input.scratch, 'user-data', 'Machine');
  fs.mkdirSync(machine, { recursive: true });
  fs.writeFileSync(path.join(machine, 'settings.json'), JSON.stringify(input.userSettings, null, 2));
  server = await startCodeServer({
    workspace: input.workspace,
    scratch: input.scratch,
    smokeTestDriver: false,
    vsix: [input.vsix],
    userSettings: input.userSettings,
    env: input.env,
    ...(input.port === undefined ? {} : { port: input.port }),
  });
  if (stopping) return;
  await tell<CodeServerChildReady>({ type: 'ready', data: { url: server.url, port: server.port, logFile: server.logFile } });
}

main().catch(async (err: unknown) => {
  await tell({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  await stop(1);
});
