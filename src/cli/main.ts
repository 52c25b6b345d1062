// Entry point of the `backout` command (bundled to dist/cli.js). Wires the process to runCli: Ctrl-C and SIGTERM
// cancel the run (the journal records it and the run can be resumed); a second one exits at once. SIGHUP (the
// terminal went away) does not stop a run: it goes on detached, and `backout attach` follows it.
import * as os from 'node:os';
import { defaultPackageScript, packageToolFromScript } from '../adapters/local/package-tool-script';
import { procedures } from '../core/registry';
import { builtinProcedures } from '../procedures';
import { isSecretEnvName } from '../core/secret-env';
import { runCli } from './cli';
import { EXIT } from './exit-codes';

function main(): void {
  // dist/dmupgrade-package.js next to dist/cli.js reads and fixes local DataMiner packages.
  for (const p of builtinProcedures({ packageTool: packageToolFromScript(defaultPackageScript) })) procedures.register(p);
  const controller = new AbortController();
  const listeners: Array<(sig: 'SIGHUP' | 'SIGINT' | 'SIGTERM') => void> = [];
  const tell = (sig: 'SIGHUP' | 'SIGINT' | 'SIGTERM'): void => {
    for (const l of listeners) l(sig);
  };
  let interrupts = 0;
  const onSignal = (sig: 'SIGINT' | 'SIGTERM'): void => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    process.stderr.write(`\nbackout: ${sig} received, cancelling (again to exit at once; the run can be resumed)\n`);
    tell(sig);
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', () => tell('SIGHUP'));
  // A closed pipe (`backout run … | head`) or a terminal gone (EIO) must not kill a rollback half-way: the journal
  // and logs hold everything.
  for (const stream of [process.stdout, process.stderr, process.stdin]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'EIO' && err.code !== 'ENOTCONN') throw err;
    });
  }
  // Backout reads BACKOUT_SECRET_* from its own copy; nothing it starts (steps, helm, ssh-agent, exec plugins) inherits them.
  const env = { ...process.env };
  for (const name of Object.keys(process.env)) if (isSecretEnvName(name)) delete process.env[name];
  runCli(process.argv.slice(2), {
    env,
    cwd: process.cwd(),
    homedir: os.homedir(),
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    interactive: process.stdin.isTTY === true && process.stderr.isTTY === true,
    signal: controller.signal,
    signals: { on: (listener) => void listeners.push(listener) },
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`backout: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = EXIT.error;
    },
  );
}

main();
