// The kube executor as the extension wires it (src/ui/activate.ts): the run folder a step saves into is found
// through the step's job slot, with no reference to the run service. Against the lab's real kube-apiserver.
import * as assert from 'assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parse } from 'yaml';
import { LazyKubeExecutor } from '../../../src/adapters/kube/lazy-executor';
import { RunFolderRepository } from '../../../src/adapters/local/run-folder';
import type { KubeAction } from '../../../src/core/plan';
import type { ExecutionRequest } from '../../../src/core/ports';
import { makeRunId } from '../../../src/core/run-id';
import { runFolderOfJob } from '../../../src/ui/job-run-folder';
import { KubeLab } from '../../../lab/kube/lab';
import { kubeLab } from './lab';

const ADMIN = KubeLab.contexts.admin;

describe('kube executor in the extension: the run folder of a step (lab)', function () {
  this.timeout(180_000);
  let root: string;
  let executor: LazyKubeExecutor;

  before(async function () {
    const lab = await kubeLab();
    root = mkdtempSync(join(tmpdir(), 'backout-ext-runs-'));
    executor = new LazyKubeExecutor(() => ({ kubeconfig: { env: { KUBECONFIG: lab.kubeconfig } }, runFolder: runFolderOfJob }));
  });
  after(async function () {
    await executor.close();
    rmSync(root, { recursive: true, force: true });
  });

  const save: KubeAction = { kind: 'kube', context: ADMIN, operation: 'save', resource: { apiVersion: 'v1', kind: 'Namespace', name: 'kube-system' }, options: { file: 'backup/namespace-kube-system.yaml' } };

  function request(job?: ExecutionRequest['job']): ExecutionRequest<KubeAction> & { lines: string[] } {
    const lines: string[] = [];
    return {
      action: save,
      target: { kind: 'kube-context', name: ADMIN, production: false },
      step: 'save-namespace',
      instance: ADMIN,
      signal: new AbortController().signal,
      output: { line: (_stream, text) => lines.push(text) },
      ...(job ? { job } : {}),
      lines,
    };
  }

  it('saves a step\'s backup into the folder of the run the step belongs to', async function () {
    const runId = makeRunId('ondat-downgrade', new Date());
    const storage = await new RunFolderRepository(root).create(runId);
    try {
      const slot = storage.jobSlot('save-namespace', ADMIN, 1);
      const result = await executor.execute(request({ slot, started: () => undefined }));
      assert.strictEqual(result.exitCode, 0, JSON.stringify(result));
      const file = join(root, runId, 'backup', 'namespace-kube-system.yaml');
      const saved = parse(readFileSync(file, 'utf8')) as { kind?: string; metadata?: { name?: string }; status?: unknown };
      assert.deepStrictEqual([saved.kind, saved.metadata?.name, saved.status], ['Namespace', 'kube-system', undefined]);
    } finally {
      await storage.close();
    }
  });

  it('refuses to save for a request without a job (a check), saying the host gives no run folder', async function () {
    const result = await executor.execute(request());
    assert.notStrictEqual(result.exitCode, 0);
    assert.match(JSON.stringify(result), /no run folder to save into/);
    assert.ok(!existsSync(join(root, 'backup')), 'nothing written beside the runs');
  });
});
