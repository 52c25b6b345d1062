// Redaction of a stream of output lines. A secret can straddle lines (a wrapped base64 block, the SSH line splitter's
// 64 KiB cut, a program printing it in pieces), so a line is released only once no secret form can still start in it:
// lines whose end could be the beginning of a form wait for the next line (or the end of the stream).
import { joinLines, renderMarked, type Redactor } from './redaction';

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
    // The window: the held lines without line breaks; `line[j]`/`column[j]` say where its character j came from.
    const parts: string[] = [];
    const lineOf: number[] = [];
    const columnOf: number[] = [];
    this.held.forEach((h, li) => {
      const clean = /[\r\n]/.test(h.text) ? joinLines(h.text) : { text: h.text, at: undefined };
      parts.push(clean.text);
      for (let j = 0; j < clean.text.length; j++) {
        lineOf.push(li);
        columnOf.push(clean.at === undefined ? j : (clean.at[j] as number));
      }
    });
    const joined = parts.join('');
    const marks = new Uint8Array(joined.length);
    this.redactor.mark(joined, marks);
    for (let j = marks.indexOf(1); j !== -1; j = marks.indexOf(1, j + 1)) (this.held[lineOf[j] as number] as HeldLine).marks[columnOf[j] as number] = 1;
    const pending = all ? joined.length : this.redactor.pendingStart(joined);
    // A line can go once every one of its characters lies before the pending start (an empty line: once those before it can).
    const firstPendingLine = pending < joined.length ? (lineOf[pending] as number) : this.held.length;
    const out = this.held.splice(0, firstPendingLine);
    for (const h of out) this.emit(renderMarked(h.text, (i) => h.marks[i] === 1));
  }
}
