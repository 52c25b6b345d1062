import * as assert from 'assert';
import * as path from 'path';
import { fsPathOf, logAddressOf, runIdOf, stepOf } from '../../../src/ui/commands/command-args';
import type { RunLogNode, RunNode, RunStepNode } from '../../../src/ui/tree/run-nodes';

const root = path.join(path.sep, 'home', 'op', '.backout', 'runs');
const runNode: RunNode = { kind: 'run', runId: '20261207-dms-a1b2', procedure: 'DataMiner: downgrade a DMS', target: 'DMS lab', status: 'failed', active: false };
const stepNode: RunStepNode = { kind: 'run-step', runId: '20261207-dms-a1b2', step: 'verify', title: 'Verify', state: 'failed', instances: 3 };
const logNode: RunLogNode = { kind: 'run-log', runId: '20261207-dms-a1b2', step: 'verify', instance: 'dma-02', state: 'failed' };

describe('Command arguments: what VS Code passes from each place a command appears', () => {
  it('takes the run id from a Runs-view run item, as the inline and context menus pass it', () => {
    assert.strictEqual(runIdOf(runNode, root), '20261207-dms-a1b2');
  });

  it('takes the run id from step and log items and from a plain id', () => {
    assert.strictEqual(runIdOf(stepNode, root), '20261207-dms-a1b2');
    assert.strictEqual(runIdOf(logNode, root), '20261207-dms-a1b2');
    assert.strictEqual(runIdOf('20261207-dms-a1b2', root), '20261207-dms-a1b2');
  });

  it('takes the run id from the URI of a file inside a run folder', () => {
    const uri = { scheme: 'file', fsPath: path.join(root, '20261207-dms-a1b2', 'journal.jsonl') };
    assert.strictEqual(runIdOf(uri, root), '20261207-dms-a1b2');
  });

  it('returns nothing for no argument, a URI outside the runs folder or another scheme, so the command asks', () => {
    assert.strictEqual(runIdOf(undefined, root), undefined);
    assert.strictEqual(runIdOf({ scheme: 'file', fsPath: path.join(path.sep, 'tmp', 'x.json') }, root), undefined);
    assert.strictEqual(runIdOf({ scheme: 'untitled', fsPath: path.join(root, 'r1', 'journal.jsonl') }, root), undefined);
    assert.strictEqual(runIdOf({ kind: 'dms' }, root), undefined);
    assert.strictEqual(runIdOf('', root), undefined);
  });

  it('knows a whole log address only from a log item, and a step from a step item', () => {
    assert.deepStrictEqual(logAddressOf(logNode), { runId: '20261207-dms-a1b2', step: 'verify', instance: 'dma-02' });
    assert.strictEqual(logAddressOf(stepNode), undefined);
    assert.strictEqual(logAddressOf(runNode), undefined);
    assert.deepStrictEqual(stepOf(stepNode), { runId: '20261207-dms-a1b2', step: 'verify' });
    assert.strictEqual(stepOf(runNode), undefined);
  });

  it('reads a path only from file URIs', () => {
    assert.strictEqual(fsPathOf({ scheme: 'file', fsPath: '/a/b' }), '/a/b');
    assert.strictEqual(fsPathOf({ scheme: 'backout-template', fsPath: '/a/b' }), undefined);
    assert.strictEqual(fsPathOf('/a/b'), undefined);
  });
});
