// Splits a byte stream into lines as it arrives: UTF-8 decoded across chunk boundaries, CRLF and LF endings, and a
// cap on line length so that output without newlines cannot grow memory without bound.
import { StringDecoder } from 'node:string_decoder';

export const MAX_LINE_CHARS = 64 * 1024;

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly emit: (line: string) => void) {}

  push(chunk: Buffer): void {
    this.feed(this.decoder.write(chunk));
  }

  /** Emits what is left (a last line without newline). */
  end(): void {
    this.feed(this.decoder.end());
    if (this.partial !== '') this.emit(this.partial.replace(/\r$/, ''));
    this.partial = '';
  }

  private feed(text: string): void {
    if (text === '') return;
    let data = this.partial + text;
    let start = 0;
    for (;;) {
      const nl = data.indexOf('\n', start);
      if (nl < 0) break;
      const end = nl > start && data.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.emit(data.slice(start, end));
      start = nl + 1;
    }
    data = data.slice(start);
    while (data.length > MAX_LINE_CHARS) {
      this.emit(data.slice(0, MAX_LINE_CHARS));
      data = data.slice(MAX_LINE_CHARS);
    }
    this.partial = data;
  }
}
