// Splits a byte stream's text into lines as chunks arrive, for executors that stream output to a LineSink.
import type { LineSink } from './ports';

export class LineSplitter {
  private rest = '';

  constructor(
    private readonly sink: LineSink,
    private readonly stream: 'stdout' | 'stderr',
  ) {}

  push(chunk: string): void {
    const text = this.rest + chunk;
    const parts = text.split(/\r?\n/);
    this.rest = parts.pop() ?? '';
    for (const p of parts) this.sink.line(this.stream, p);
  }

  /** Emits a last line that had no newline. */
  end(): void {
    if (this.rest.length > 0) this.sink.line(this.stream, this.rest);
    this.rest = '';
  }
}
