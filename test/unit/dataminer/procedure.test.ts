import * as assert from 'assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultPackageScript, PackageToolMissingError, packageToolFromScript } from '../../../src/adapters/local/package-tool-script';
import { InvalidParameterError } from '../../../src/core/errors';
import { planDocument } from '../../../src/core/plan';
import { preparePlan } from '../../../src/core/runs';
import { createDowngradeProcedure, dataminerDowngrade, PROCEDURE_ID } from '../../../src/procedures/dataminer/procedure';
import { PackageProblemError } from '../../../src/procedures/dataminer/errors';
import { builtinProcedures } from '../../../src/procedures/index';

async function offline(raw: Record<string, string>): Promise<Record<string, unknown>> {
  const prepared = await preparePlan(dataminerDowngrade, raw, { executors: {} });
  return planDocument(prepared.plan) as Record<string, unknown>;
}

describe('the dataminer.downgrade procedure', () => {
  it('is registered with the built-in procedures', () => {
    assert.ok(builtinProcedures().some((p) => p.id === PROCEDURE_ID));
  });

  it('plans route B offline, without a target, with packages, moduleSwap and warnings at the top', async () => {
    const doc = await offline({ route: 'package', from: '10.4.0', to: '10.1.0' });
    assert.deepStrictEqual(doc.packages, ['10.3.0', '10.2.0', '10.1.0']);
    assert.strictEqual(doc.moduleSwap, false);
    assert.ok(Array.isArray(doc.warnings) && doc.warnings.some((w) => /VerifyNatsIsRunning/.test(String(w))));
    assert.ok(Array.isArray(doc.timeEstimate) && doc.timeEstimate.length === 4);
    const swap = await offline({ route: 'package', from: '10.3.9', to: '10.3.5' });
    assert.strictEqual(swap.moduleSwap, true);
    assert.deepStrictEqual(swap.packages, ['10.3.5']);
  });

  it('accepts every documented version form in from and to', async () => {
    const doc = await offline({ route: 'package', from: '10.4.0.0-14772-20240821-release', to: '10.3.0 [CU5]', moduleSwap: 'no' });
    assert.deepStrictEqual(doc.packages, ['10.3.0 [CU5]']);
  });

  it('plans route A offline too', async () => {
    const doc = await offline({ route: 'snapshot', to: '10.3.5', hypervisor: 'libvirt' });
    assert.deepStrictEqual(doc.packages, []);
    assert.strictEqual(doc.moduleSwap, false);
    assert.strictEqual(doc.route, 'snapshot');
  });

  it('names the parameter and what it accepts for bad values', async () => {
    await assert.rejects(offline({ route: 'package', from: 'ten', to: '10.3.5' }), (e: Error) => e instanceof InvalidParameterError && /"from"/.test(e.message));
    await assert.rejects(offline({ route: 'rollback', from: '10.3.9', to: '10.3.5' }), /"route".*snapshot, package/);
    await assert.rejects(offline({ route: 'package', from: '10.3.9', to: '10.3.5', agents: 'dma 1' }), /"agents"/);
    await assert.rejects(offline({ route: 'snapshot', revertTemplate: 'virsh snapshot-revert {vm}' }), /"revertTemplate".*\{snapshot\}/);
  });

  it('refuses local packages on a host that cannot read them, and reads them through the package tool otherwise', async () => {
    await assert.rejects(offline({ route: 'package', from: '10.3.9', to: '10.3.5', packages: '/tmp/x.dmupgrade' }), PackageProblemError);
    const seen: string[] = [];
    const withTool = createDowngradeProcedure({
      inspect: async (p) => {
        seen.push(p);
        return { path: p, sizeBytes: 1, version: '10.3.5', versionSource: 'file name', hasVerifyNatsIsRunning: false, entries: 1, updateZipEntries: 1 };
      },
      fixCommand: (s, d) => ({ kind: 'local', argv: ['fix', s, d] }),
    });
    const prepared = await preparePlan(withTool, { route: 'package', from: '10.3.9', to: '10.3.5', packages: '/tmp/DataMiner 10.3.5.dmupgrade' }, { executors: {} });
    assert.deepStrictEqual(seen, ['/tmp/DataMiner 10.3.5.dmupgrade']);
    assert.ok(prepared.plan.steps.some((s) => s.id === 'upload-package-p1'));
  });

  it('says Backout\'s package tool is missing, rather than blaming the package, when its script cannot be loaded', async () => {
    const broken = createDowngradeProcedure(packageToolFromScript(path.join(os.tmpdir(), 'no-such-dir', 'dmupgrade-package.js')));
    await assert.rejects(
      preparePlan(broken, { route: 'package', from: '10.3.9', to: '10.3.5', packages: '/tmp/DataMiner 10.3.5.dmupgrade' }, { executors: {} }),
      (err: unknown) => err instanceof PackageToolMissingError && /no-such-dir.*reinstall Backout/.test(err.message),
    );
  });

  it('is built in with the package tool the host gives', () => {
    const tool = packageToolFromScript();
    const dm = builtinProcedures({ packageTool: tool }).find((p) => p.id === PROCEDURE_ID);
    assert.ok(dm !== undefined);
    // The compiled script sits beside the loader (out/src/adapters/local), as dist/dmupgrade-package.js sits beside dist/cli.js.
    assert.ok(fs.existsSync(defaultPackageScript), defaultPackageScript);
    const fix = tool.fixCommand('/pk/a.dmupgrade', '/pk/b.dmupgrade');
    assert.deepStrictEqual(fix.argv.slice(1), [defaultPackageScript, 'fix', '/pk/a.dmupgrade', '/pk/b.dmupgrade']);
  });
});
