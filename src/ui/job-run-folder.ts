// The run folder of a step's job, for executors that keep files of the run (the Kubernetes executor's backups and a
// tool's kubeconfig): read from the job's own slot, so the executors need nothing from the run service that owns
// them. A job slot is <run folder>/jobs/<step>/<instance>.<attempt> (adapters/local/run-folder.ts, jobSlot).
import * as path from 'path';
import type { ExecutionRequest } from '../core/ports';

export function runFolderOfJob(request: Pick<ExecutionRequest, 'job'>): string | undefined {
  const folder = request.job?.slot.folder;
  // Checks and verifications have no job and keep no files.
  return folder ? path.resolve(folder, '..', '..', '..') : undefined;
}
