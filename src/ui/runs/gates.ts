// Pending confirmations of runs executing in this window. A destructive step's gate is shown in the run panel
// (confirm, or type the target's name for production targets), which is brought to the front; whichever answers
// first settles it. Cancelling the run declines it.
import * as vscode from 'vscode';
import { Disposable } from '../disposable';
import type { GateView } from '../panel/protocol';

interface Pending {
  runId: string;
  view: GateView;
  resolve(ok: boolean): void;
}

export class GateBroker extends Disposable {
  private readonly pending = new Map<string, Pending>();
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  /** Fires with the run id whose gate appeared or went away. */
  readonly onDidChange = this.changed.event;
  private next = 1;

  /** Waits for the user's answer; resolves false when declined or when `signal` aborts. */
  request(runId: string, gate: Omit<GateView, 'id'>, signal?: AbortSignal): Promise<boolean> {
    const id = `gate-${this.next++}`;
    return new Promise<boolean>((resolve) => {
      const settle = (ok: boolean) => {
        if (!this.pending.delete(id)) return;
        signal?.removeEventListener('abort', onAbort);
        this.changed.fire(runId);
        resolve(ok);
      };
      const onAbort = () => settle(false);
      if (signal?.aborted) return resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, { runId, view: { id, ...gate }, resolve: settle });
      this.changed.fire(runId);
    });
  }

  /** The runs with a gate waiting for a person, each once. */
  waitingRuns(): string[] {
    return [...new Set([...this.pending.values()].map((p) => p.runId))];
  }

  gateOf(runId: string): GateView | undefined {
    for (const p of this.pending.values()) if (p.runId === runId) return p.view;
    return undefined;
  }

  /** Answers a gate. A production gate is confirmed only by the exact target name. Returns an error text or undefined. */
  confirm(gateId: string, typed?: string): string | undefined {
    const p = this.pending.get(gateId);
    if (!p) return 'This confirmation is no longer pending.';
    if (p.view.expected !== undefined && typed !== p.view.expected) {
      return `Type "${p.view.expected}" exactly to confirm; "${typed ?? ''}" does not match.`;
    }
    p.resolve(true);
    return undefined;
  }

  decline(gateId: string): void {
    this.pending.get(gateId)?.resolve(false);
  }

  declineAll(runId: string): void {
    for (const p of [...this.pending.values()]) if (p.runId === runId) p.resolve(false);
  }

  /** Questions still open are declined: nothing waits on a window that is going away. */
  override dispose(): void {
    for (const p of [...this.pending.values()]) p.resolve(false);
    super.dispose();
  }
}
