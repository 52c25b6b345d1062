// Which procedures a detached run host (the bundled `backout` CLI) can run, and how it is started from VS Code.
// The CLI knows the built-in procedures and those of BACKOUT_PROCEDURE_MODULES (it inherits the window's
// environment); a procedure registered through the extension's API exists only in this window's memory, unless its
// module file is given: such a procedure's runs stay in the window.
import * as fs from 'fs';
import * as path from 'path';
import type { Procedure } from '../../core/procedure';
import type { RunHostCommand } from '../../adapters/local/run-launcher';

export interface RunHostModules {
  runHost: { command: RunHostCommand; argsFor(procedureId: string): string[] | undefined } | undefined;
  register(procedure: Procedure, module: string | undefined, registerInMemory: (p: Procedure) => void): void;
}

export function createRunHostModules(extensionPath: string): RunHostModules {
  const cli = path.join(extensionPath, 'dist', 'cli.js');
  const inMemory = new Set<string>();
  const modules = new Map<string, string>();
  return {
    // Without the bundled CLI (a build that lacks it) every run executes in the window, as before.
    runHost: fs.existsSync(cli)
      ? {
          // VS Code's own binary runs the CLI as plain Node: no other Node is required on the machine.
          command: { program: process.execPath, prefix: [cli], env: { ELECTRON_RUN_AS_NODE: '1' } },
          argsFor: (id) => {
            const module = modules.get(id);
            if (module) return ['--procedures', module];
            return inMemory.has(id) ? undefined : [];
          },
        }
      : undefined,
    register(procedure, module, registerInMemory) {
      if (module !== undefined) {
        if (!path.isAbsolute(module) || !fs.existsSync(module)) throw new Error(`Procedure module ${module}: give the absolute path of an existing CommonJS file that exports ${procedure.id}.`);
        modules.set(procedure.id, module);
        if (inMemory.has(procedure.id)) return;
      }
      registerInMemory(procedure);
      if (module === undefined) inMemory.add(procedure.id);
    },
  };
}
