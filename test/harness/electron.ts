// `npm run test:electron`: the extension-host tests in desktop VS Code through @vscode/test-electron, for machines
// that have internet access (it downloads VS Code) and a display. On machines without either, use `npm test`,
// whose extension-host tier runs the same tests in code-server.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const repo = path.resolve(__dirname, '../../..');
  const kube = path.join(repo, 'test/fixtures/kubeconfig');
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-electron-ws-'));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-electron-'));
  await runTests({
    version: process.env.BACKOUT_VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: repo,
    extensionTestsPath: path.join(repo, 'out/test/extension/index.js'),
    launchArgs: [workspace, '--disable-extensions', '--user-data-dir', path.join(scratch, 'user-data'), '--extensions-dir', path.join(scratch, 'extensions')],
    extensionTestsEnv: { KUBECONFIG: `${path.join(kube, 'team.yaml')}${path.delimiter}${path.join(kube, 'prod.yaml')}` },
  });
}

main().catch((err) => {
  console.error(`Desktop VS Code tests failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
