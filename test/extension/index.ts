// Entry the extension host loads (extensionTestsPath): runs every *.test.js beside it with mocha, inside VS Code.
import * as path from 'path';
import Mocha from 'mocha';
import { findTests } from '../harness/mocha-files';
import BackoutReporter from '../harness/reporter';

export function run(): Promise<void> {
  process.env.BACKOUT_TIER = 'extension-host';
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: BackoutReporter });
  for (const file of findTests(path.resolve(__dirname))) mocha.addFile(file);
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
