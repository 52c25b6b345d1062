// listAgentPackages against an emulated Agent over the real sshd: what Start Rollback offers as packages on an Agent.
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listAgentPackages, parseAgentPackages } from '../../../src/adapters/ssh/agent-packages';
import { endpointOf, labPool } from '../ssh/helpers';
import { startDms } from './dms-lab';

describe('the upgrade packages on an Agent (listAgentPackages, Agent lab)', function () {
  this.timeout(120_000);

  it('lists the .dmupgrade/.dmupdate files at the top of the Upgrades folder with size and the version their names reveal, under both shells', async () => {
    const dms = await startDms([{ name: 'dma-01', version: '10.5.2' }], { userPrefix: 'bkpk' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-pk-'));
    try {
      const up = 'C:\\Skyline DataMiner\\Upgrades';
      dms.lab.placePackage('dma-01', `${up}\\DataMiner 10.4.0.dmupgrade`, '10.4.0');
      dms.lab.placePackage('dma-01', `${up}\\DataMiner 10.3.0.0-13010-CU5.dmupgrade`, '10.3.0 [CU5]');
      dms.lab.placeFile('dma-01', `${up}\\notes.txt`, 'not a package');
      dms.lab.placeFile('dma-01', `${up}\\Packages\\Old.dmupgrade-0123456789abcdef0123456789abcdef\\progress.log`, 'x');
      const pool = labPool(dms.lab, dir);
      for (const shell of ['cmd', 'powershell'] as const) {
        dms.lab.update('dma-01', (s) => {
          s.defaultShell = shell;
        });
        const found = await listAgentPackages(pool, endpointOf(dms.lab, dms.lab.agent('dma-01')), { shell });
        assert.deepStrictEqual(
          found.map((p) => [p.path, p.version]),
          [
            [`${up}\\DataMiner 10.3.0.0-13010-CU5.dmupgrade`, '10.3.0.0-13010-CU5'],
            [`${up}\\DataMiner 10.4.0.dmupgrade`, '10.4.0'],
          ],
          shell,
        );
        assert.ok(found.every((p) => p.sizeBytes > 0));
      }
    } finally {
      await dms.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses the listing without a version where the name has none', () => {
    assert.deepStrictEqual(parseAgentPackages('"Name","Length"\r\n"full.dmupdate","12"\r\n', 'C:\\U'), [{ path: 'C:\\U\\full.dmupdate', fileName: 'full.dmupdate', sizeBytes: 12 }]);
  });
});
