// Where runs live for the extension: the same folder as the CLI's (setting, then $BACKOUT_RUNS_DIR, then
// ~/.backout/runs), so that a run started in one is shown and resumed in the other.
import * as os from 'os';
import * as vscode from 'vscode';
import { FileTargetLocks, localLockHost } from '../../adapters/local/file-lock';
import { RunFolderRepository } from '../../adapters/local/run-folder';
import { loadRun } from '../../core/runner';
import type { RunState } from '../../core/run-state';
import { locksDirectory, resolveRunsRoot } from '../../core/runs-root';
import { SECTION } from '../settings';

export interface RunSnapshot {
  state: RunState;
  location: string;
  tornLine?: { line: number; text: string };
}

export class RunStore {
  get root(): string {
    const override = vscode.workspace.getConfiguration(SECTION).get<string>('runsDirectory', '').trim();
    return resolveRunsRoot({ env: process.env, homedir: os.homedir(), override: override || undefined });
  }

  repository(): RunFolderRepository {
    return new RunFolderRepository(this.root);
  }

  locks(): FileTargetLocks {
    // The user's lock folder, shared with the CLI whatever runs folder each uses.
    return new FileTargetLocks(locksDirectory({ env: process.env, homedir: os.homedir() }), localLockHost(os.hostname()));
  }

  async list(): Promise<string[]> {
    return this.repository().list();
  }

  async read(runId: string): Promise<RunSnapshot> {
    const storage = await this.repository().open(runId);
    try {
      const { state, tornLine } = await loadRun(storage);
      return { state, location: storage.location, ...(tornLine ? { tornLine } : {}) };
    } finally {
      await storage.close();
    }
  }

  async readLog(runId: string, step: string, instance: string): Promise<string | undefined> {
    const storage = await this.repository().open(runId);
    try {
      return await storage.readLog(step, instance);
    } finally {
      await storage.close();
    }
  }
}
