// The Agent lab from the command line (run as root):
//   node out/lab/agent/cli.js start [--dir D] [--agents N] [--version 10.3.9] [--shell cmd|powershell] [--jump] [--swap]
//   node out/lab/agent/cli.js status --dir D
//   node out/lab/agent/cli.js stop --dir D
// `start` prints the lab folder and one line per Agent (name, address, user, host key fingerprint); the sshds keep
// running until `stop`. `--swap` seeds the modules that need the MOP's swap (StorageModule 3.0.3, UserDefinableApiEndpoint
// 2.0.2) whatever the version.
import { readManifest, startLab, stopLabDir } from './lab';
import { alive } from './sshd';
import { AgentSeed } from './seed';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(args: string[]): Promise<number> {
  const command = args[0];
  const dir = option(args, '--dir');
  if (command === 'start') {
    const count = Number(option(args, '--agents') ?? '3');
    if (!Number.isInteger(count) || count < 1 || count > 64) throw new Error('--agents must be 1..64');
    const version = option(args, '--version') ?? '10.3.9';
    const shell = option(args, '--shell') ?? 'cmd';
    if (shell !== 'cmd' && shell !== 'powershell') throw new Error('--shell must be cmd or powershell');
    const agents: AgentSeed[] = Array.from({ length: count }, (_, i) => ({
      name: `dma-${String(i + 1).padStart(2, '0')}`,
      version,
      defaultShell: shell,
      ...(args.includes('--swap') ? { modules: { storageModule: '3.0.3', userDefinableApiEndpoint: '2.0.2' } } : {}),
    }));
    const lab = await startLab({ ...(dir === undefined ? {} : { dir }), agents, jumpHost: args.includes('--jump'), detached: true });
    console.log(`lab ${lab.dir}`);
    console.log(`client key ${lab.clientKeyPath}`);
    for (const a of lab.agents) console.log(`${a.name} ${a.user}@127.0.0.1:${a.port} ${a.hostKeyFingerprint} pid ${a.pid}`);
    if (lab.jumpHost !== undefined) console.log(`jump ${lab.jumpHost.user}@127.0.0.1:${lab.jumpHost.port} pid ${lab.jumpHost.pid}`);
    return 0;
  }
  if (dir === undefined) throw new Error('--dir <lab folder> is required');
  if (command === 'status') {
    const m = readManifest(dir);
    let down = 0;
    for (const a of m.agents) {
      const up = alive(a.pid);
      if (!up) down++;
      console.log(`${a.name} ${a.user}@127.0.0.1:${a.port} ${up ? 'running' : 'stopped'} pid ${a.pid}`);
    }
    return down === 0 ? 0 : 3;
  }
  if (command === 'stop') {
    const n = await stopLabDir(dir);
    console.log(`stopped ${n} sshd process(es)`);
    return 0;
  }
  console.error('usage: cli.js start|status|stop [--dir D] [--agents N] [--version V] [--shell cmd|powershell] [--jump] [--swap]');
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
