// Executors in VS Code find the run folder through the step's job slot, as the run folder lays it out.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunFolderRepository } from '../../../src/adapters/local/run-folder';
import { makeRunId } from '../../../src/core/run-id';
import { runFolderOfJob } from '../../../src/ui/job-run-folder';

describe('The run folder of a job', () => {
  it('is the folder of the run whose step the job belongs to', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-jobfolder-'));
    try {
      const repository = new RunFolderRepository(root);
      const runId = makeRunId('ondat-downgrade', new Date());
      const created = await repository.create(runId);
      try {
        const slot = created.jobSlot('delete-storageoscluster', 'StorageOSCluster/storageos/cluster', 2);
        const request = { job: { slot, started: () => undefined } };
        assert.strictEqual(runFolderOfJob(request), path.join(root, runId));
        assert.ok(fs.statSync(runFolderOfJob(request) as string).isDirectory());
      } finally {
        await created.close();
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('is none for a check, which has no job and keeps no files', () => {
    assert.strictEqual(runFolderOfJob({}), undefined);
  });
});
