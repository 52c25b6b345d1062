// A run host started with nobody at a terminal (`backout run|resume --detached`, as VS Code starts runs): from the
// moment it owns the run (the target's lock is held and the run folder exists) a step's questions go to the run
// folder and secrets and connection questions to the run's socket, where `backout attach` or VS Code answers them.
// With --ready-fd N it then writes one JSON line {runId, location, pid} to that descriptor and closes it, which tells
// the launcher where to attach; errors before that go to stderr, as with any command.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FolderPrompter } from '../adapters/local/folder-prompter';
import { JOURNAL_FILE } from '../adapters/local/run-folder';
import { RunControlFiles } from '../adapters/local/run-control';
import { SocketPrompter } from '../adapters/local/socket-prompter';
import { systemClock } from '../adapters/local/system';
import type { RunEnvironment } from '../core/runs';
import type { DetachablePrompter } from './detachable-prompter';

export interface HostReady {
  runId: string;
  location: string;
  pid: number;
}

export function isHostReady(v: unknown): v is HostReady {
  const o = v as Record<string, unknown> | null;
  return typeof o === 'object' && o !== null && typeof o.runId === 'string' && typeof o.location === 'string' && typeof o.pid === 'number';
}

export interface DetachedHostOptions {
  prompter: DetachablePrompter;
  /** Where the run's notices go: the journal once the run is recorded, else stderr. */
  notice(message: string): void;
  readyFd?: number;
  onReady(runId: string, location: string): void;
}

export class DetachedHost {
  private ready = false;
  readonly socket: SocketPrompter;
  private location: string | undefined;

  constructor(private readonly options: DetachedHostOptions) {
    this.socket = new SocketPrompter({ location: () => this.location, notice: (m) => options.notice(m) });
  }

  /**
   * The environment with two hooks: a lock taken for a run whose folder exists (resume), or a run folder created
   * (start, after its lock), makes this host the run's owner; only then does it open the socket and say it is ready,
   * so that a second host refused by the lock never replaces the first one's socket.
   */
  wrap(env: RunEnvironment): RunEnvironment {
    const root = env.repository.root;
    return {
      ...env,
      repository: {
        root,
        list: () => env.repository.list(),
        open: (runId) => env.repository.open(runId),
        create: async (runId) => {
          const storage = await env.repository.create(runId);
          await this.own(runId, storage.location);
          return storage;
        },
      },
      locks: {
        holder: (target) => env.locks.holder(target),
        acquire: async (target, holder) => {
          const handle = await env.locks.acquire(target, holder);
          const location = path.join(root, holder.runId);
          if (fs.existsSync(path.join(location, JOURNAL_FILE))) await this.own(holder.runId, location);
          return handle;
        },
      },
    };
  }

  private async own(runId: string, location: string): Promise<void> {
    if (this.ready) return;
    this.ready = true;
    this.location = location;
    const folder = new FolderPrompter({ runId, control: new RunControlFiles(location), clock: systemClock, notice: (m) => this.options.notice(m) });
    this.options.prompter.detach(folder, this.socket);
    await this.socket.listen();
    this.options.onReady(runId, location);
    if (this.options.readyFd !== undefined) {
      const ready: HostReady = { runId, location, pid: process.pid };
      try {
        fs.writeSync(this.options.readyFd, `${JSON.stringify(ready)}\n`);
        fs.closeSync(this.options.readyFd);
      } catch {
        // The launcher went away before reading it: the run goes on, and is found in the runs folder.
      }
    }
  }

  close(): Promise<void> {
    return this.socket.close();
  }
}
