// Helpers for tests that run inside the extension host.
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BackoutApi } from '../../src/ui/activate';

export const repoRoot = path.resolve(__dirname, '../../..');
export const fixtures = path.join(repoRoot, 'test', 'fixtures');

export async function backout(): Promise<BackoutApi> {
  const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'backout');
  assert.ok(ext, 'the Backout extension is installed in this VS Code');
  return (await ext.activate()) as BackoutApi;
}

/** Polls until `check` stops throwing; the tree reloads asynchronously after a refresh. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
