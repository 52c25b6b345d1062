// A LineSink that writes to a log file through a fixed buffer with synchronous writes: memory stays bounded however
// fast the Agent produces output, and a line is on disk before the run moves on once flush() returns.
import * as fs from 'node:fs';
import type { LineSink } from '../../core/ports';

export class FileLineSink implements LineSink {
  private readonly fd: number;
  private buffer: Buffer;
  private used = 0;
  bytes = 0;

  constructor(
    file: string,
    private readonly format: (stream: 'stdout' | 'stderr' | 'info', text: string) => string = (s, t) => (s === 'stdout' ? t : `[${s}] ${t}`),
    bufferBytes = 64 * 1024,
  ) {
    this.fd = fs.openSync(file, 'a', 0o600);
    this.buffer = Buffer.allocUnsafe(bufferBytes);
  }

  line(stream: 'stdout' | 'stderr' | 'info', text: string): void {
    const s = this.format(stream, text) + '\n';
    const len = Buffer.byteLength(s);
    if (this.used + len > this.buffer.length) this.flush();
    if (len > this.buffer.length) {
      fs.writeSync(this.fd, s);
    } else {
      this.used += this.buffer.write(s, this.used);
    }
    this.bytes += len;
  }

  flush(): void {
    let off = 0;
    while (off < this.used) off += fs.writeSync(this.fd, this.buffer, off, this.used - off);
    this.used = 0;
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}
