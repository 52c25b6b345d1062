// The time a connection may take from TCP connect to authenticated, not counting the time a person takes to answer
// a host-key, passphrase or password prompt. ssh2's own readyTimeout runs on through prompts, so an answer given
// after 20 s failed with "Timed out while waiting for handshake"; Backout turns it off and keeps this clock instead.

export class HandshakeTimer {
  private timer: NodeJS.Timeout | undefined;
  private remaining: number;
  private startedAt = 0;
  private waits = 0;
  private stopped = false;

  constructor(
    readonly limitMs: number,
    private readonly onTimeout: () => void,
  ) {
    this.remaining = limitMs;
  }

  start(): void {
    if (this.limitMs <= 0 || this.stopped) return;
    this.startedAt = Date.now();
    this.timer = setTimeout(() => {
      this.stopped = true;
      this.onTimeout();
    }, this.remaining);
  }

  /** Runs `task` (which may wait for a person) with the clock stopped. */
  async whileWaiting<T>(task: () => Promise<T>): Promise<T> {
    if (this.waits++ === 0 && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.remaining = Math.max(0, this.remaining - (Date.now() - this.startedAt));
    }
    try {
      return await task();
    } finally {
      if (--this.waits === 0 && !this.stopped) this.start();
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
