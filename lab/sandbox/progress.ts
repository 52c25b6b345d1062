// Progress of the sandbox's start-up: one line per phase as it starts and ends, each stamped with the time since the
// sandbox started, so a newcomer sees what it waits for (and a cold start's minutes are not a silent hang).
export type Writer = (line: string) => void;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export class Progress {
  private readonly t0 = Date.now();

  constructor(private readonly write: Writer = (line) => process.stdout.write(line + '\n')) {}

  /** Milliseconds since the sandbox started. */
  elapsedMs(): number {
    return Date.now() - this.t0;
  }

  line(text: string): void {
    this.write(`[${(this.elapsedMs() / 1000).toFixed(1).padStart(6)}s] ${text}`);
  }

  /**
   * Runs one phase: a line when it starts, one when it ends (with its own duration and `summary` of the result), and
   * while it runs longer than `heartbeatMs` a line now and then saying it still works, so cold builds do not look hung.
   */
  async phase<T>(name: string, start: string, fn: (note: (text: string) => void) => Promise<T>, summary: (result: T) => string, heartbeatMs = 30_000): Promise<T> {
    const t = Date.now();
    this.line(`${name}: ${start}`);
    const timer = setInterval(() => this.line(`${name}: still working (${seconds(Date.now() - t)})`), heartbeatMs);
    timer.unref();
    try {
      const result = await fn((text) => this.line(`${name}: ${text}`));
      this.line(`${name}: ${summary(result)} (${seconds(Date.now() - t)})`);
      return result;
    } catch (err) {
      this.line(`${name}: FAILED after ${seconds(Date.now() - t)}`);
      throw err;
    } finally {
      clearInterval(timer);
    }
  }
}
