// Run folders hold what steps saved from the target: private to the user (issue 17), whatever the umask.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunFolderRepository } from '../../../src/adapters/local/run-folder';

describe('run folder permissions', () => {
  it('makes run folders 0700 and their files 0600, even under a permissive umask', async function () {
    if (process.platform === 'win32') this.skip();
    const old = process.umask(0o000);
    try {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-modes-'));
      const storage = await new RunFolderRepository(root).create('20261207-100000-test-0001');
      await storage.writePlan('{}');
      storage.appendJournal('{"type":"warning","at":"x","message":"m"}\n');
      const log = storage.openLog('step', 'inst');
      log.append('line\n');
      await log.close();
      storage.jobSlot('step', 'inst', 1);
      await storage.writeReport('# r');
      await storage.close();
      const mode = (p: string): string => (fs.statSync(p).mode & 0o777).toString(8);
      const dir = storage.location;
      assert.equal(mode(dir), '700');
      for (const d of ['logs', 'logs/step', 'jobs/step/inst.1']) assert.equal(mode(path.join(dir, d)), '700', d);
      for (const f of ['plan.json', 'journal.jsonl', 'logs/step/inst.log', 'report.md']) assert.equal(mode(path.join(dir, f)), '600', f);
    } finally {
      process.umask(old);
    }
  });
});
