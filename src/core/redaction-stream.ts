// Redaction of a stream of output lines. A secret can straddle lines (a wrapped base64 block, the SSH line splitter's
// 64 KiB cut, a program printing it in pieces), so a line is released only once no secret form can still start in it:
// lines whose end could be the beginning of a form wait for the next line (or the end of the stream).
import { renderMarked, type Redactor } from './redaction';

interface HeldLine {
  text: string;
  /** Per character: covered by a secret form found so far (a form can be found partly in a later line's window). */
  marks: Uint8Array;
}

export class StreamRedactor {
  private held: HeldLine[] = [];

  constructor(
    private readonly redactor: Redactor,
    private readonly emit: (line: string) => void,
  ) {}

  /** Takes one line (without its line break); emits the lines that are now final, redacted, in order. */
  push(line: string): void {
    if (this.redactor.size === 0) return this.emit(line);
    this.held.push({ text: line, marks: new Uint8Array(line.length) });
    this.release(false);
  }

  /** The stream ended: emits everything held. */
  end(): void {
    this.release(true);
  }

  private release(all: boolean): void {
    if (this.held.length === 0) return;
    // The window: the held lines without line breaks, each character knowing its line and column.
    let joined = '';
    const where: Array<[number, number]> = [];
    this.held.forEach((h, li) => {
      for (let ci = 0; ci < h.text.length; ci++) {
        const c = h.text.charCodeAt(ci);
        if (c === 10 || c === 13) continue;
        joined += h.text[ci];
        where.push([li, ci]);
      }
    });
    const marks = new Uint8Array(joined.length);
    this.redactor.mark(joined, marks);
    marks.forEach((m, j) => {
      if (m === 0) return;
      const [li, ci] = where[j] as [number, number];
      (this.held[li] as HeldLine).marks[ci] = 1;
    });
    const pending = all ? joined.length : this.redactor.pendingStart(joined);
    // A line can go once every one of its characters lies before the pending start (an empty line: once those before it can).
    const firstPendingLine = pending < joined.length ? (where[pending] as [number, number])[0] : this.held.length;
    const out = this.held.splice(0, firstPendingLine);
    for (const h of out) this.emit(renderMarked(h.text, (i) => h.marks[i] === 1));
  }
}
