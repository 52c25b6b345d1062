import * as assert from 'node:assert/strict';
import { LineSplitter, MAX_LINE_CHARS } from '../../../src/adapters/ssh/lines';

function split(chunks: Buffer[]): string[] {
  const out: string[] = [];
  const s = new LineSplitter((l) => out.push(l));
  for (const c of chunks) s.push(c);
  s.end();
  return out;
}

describe('line splitting of streamed output', () => {
  it('handles CRLF and LF, and a last line without newline', () => {
    assert.deepEqual(split([Buffer.from('a\r\nb\nc')]), ['a', 'b', 'c']);
  });
  it('joins a CRLF split across chunks', () => {
    assert.deepEqual(split([Buffer.from('a\r'), Buffer.from('\nb\r\n')]), ['a', 'b']);
  });
  it('decodes a UTF-8 character split across chunks', () => {
    const bytes = Buffer.from('DataMiner – é\n');
    assert.deepEqual(split([bytes.subarray(0, 12), bytes.subarray(12)]), ['DataMiner – é']);
  });
  it('keeps empty lines', () => {
    assert.deepEqual(split([Buffer.from('\r\n\r\nx\r\n')]), ['', '', 'x']);
  });
  it('cuts a line longer than the cap into pieces instead of growing without bound', () => {
    const out = split([Buffer.from('x'.repeat(MAX_LINE_CHARS * 2 + 5))]);
    assert.deepEqual(out.map((l) => l.length), [MAX_LINE_CHARS, MAX_LINE_CHARS, 5]);
  });
});
