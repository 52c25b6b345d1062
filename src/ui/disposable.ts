// What UI classes own, disposed with them: a class registers each listener, emitter, watcher and timer once, where it
// creates it, instead of repeating the list in a hand-written dispose(). Imports vscode's types only, so the rules
// (last registered first, once, and late registrations disposed at once) are unit-tested without VS Code.
import type * as vscode from 'vscode';

export class Disposable implements vscode.Disposable {
  private readonly owned: vscode.Disposable[] = [];
  private isDisposed = false;

  /** Whether dispose() has run: callbacks that outlive a disposed owner (timers, reads) check it. */
  protected get disposed(): boolean {
    return this.isDisposed;
  }

  /** Owns `d` from now on; registered after dispose(), it is disposed at once (nothing leaks from a late callback). */
  protected register<T extends vscode.Disposable>(d: T): T {
    if (this.isDisposed) d.dispose();
    else this.owned.push(d);
    return d;
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    // Last registered first: what was built on top of something goes before it.
    for (const d of this.owned.splice(0).reverse()) d.dispose();
  }
}

/** A set of disposables replaced as a whole (file watchers made again when the files to watch change). */
export class DisposableGroup implements vscode.Disposable {
  private items: vscode.Disposable[] = [];

  replace(items: vscode.Disposable[]): void {
    this.clear();
    this.items = items;
  }

  clear(): void {
    for (const d of this.items.splice(0)) d.dispose();
  }

  dispose(): void {
    this.clear();
  }
}
