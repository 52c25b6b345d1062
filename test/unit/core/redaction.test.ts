import * as assert from 'node:assert/strict';
import { Redactor, UnredactableSecretError } from '../../../src/core/redaction';
import { StreamRedactor } from '../../../src/core/redaction-stream';
import { LineSplitter, MAX_LINE_CHARS } from '../../../src/adapters/ssh/lines';

const SECRET = 'Tr0ub4dor&3 x/y';

/** Every way the secret reaches output in these tests. */
const FORMS: Record<string, string> = {
  plain: SECRET,
  base64: Buffer.from(SECRET, 'utf8').toString('base64'),
  'UTF-16LE base64': Buffer.from(SECRET, 'utf16le').toString('base64'),
  'URL-encoded': encodeURIComponent(SECRET),
  'form-encoded': encodeURIComponent(SECRET).replace(/%20/g, '+'),
};

function streamed(redactor: Redactor, lines: readonly string[]): string[] {
  const out: string[] = [];
  const s = new StreamRedactor(redactor, (l) => out.push(l));
  for (const l of lines) s.push(l);
  s.end();
  return out;
}

/** The longest run of the secret's characters (in any of its forms) that survived, for a useful failure message. */
function leaks(text: string): string | undefined {
  for (const [name, form] of Object.entries(FORMS)) {
    for (let len = form.length; len >= 6; len--) {
      for (let i = 0; i + len <= form.length; i++) if (text.includes(form.slice(i, i + len))) return `${name} "${form.slice(i, i + len)}"`;
    }
  }
  return undefined;
}

describe('redaction', () => {
  it('replaces every occurrence of a secret', () => {
    assert.equal(new Redactor(['s3cr3t!']).redact('a s3cr3t! b s3cr3t!'), 'a *** b ***');
  });

  it('replaces the JSON-escaped form of a secret', () => {
    const secret = 'pa"ss\\word';
    const json = JSON.stringify({ reason: `bad ${secret}` });
    assert.equal(new Redactor([secret]).redact(json).includes('ss'), false);
  });

  it('replaces a longer secret whole when it contains a shorter one', () => {
    assert.equal(new Redactor(['abcd', 'abcdefgh']).redact('abcdefgh'), '***');
  });

  it('refuses a secret too short to redact instead of skipping it', () => {
    assert.throws(() => new Redactor(['pw1']), UnredactableSecretError);
    assert.throws(() => new Redactor(['pw1']), (e: Error) => !e.message.includes('pw1') && /shorter than 4 characters/.test(e.message));
  });

  for (const [name, form] of Object.entries(FORMS)) {
    it(`replaces the ${name} form of a secret, wherever it sits in a longer text`, () => {
      const r = new Redactor([SECRET]);
      for (const prefix of ['', 'x', 'xy', 'xyz']) {
        // Inside a longer base64 text the secret's bytes can start at any of three alignments.
        const text = name.includes('base64') ? Buffer.concat([Buffer.from(prefix, name.startsWith('UTF-16') ? 'utf16le' : 'utf8'), Buffer.from(SECRET, name.startsWith('UTF-16') ? 'utf16le' : 'utf8'), Buffer.from('tail')]).toString('base64') : `${prefix}${form}tail`;
        const out = r.redact(`value: ${text}`);
        assert.ok(out.includes('***'), `${name} after "${prefix}": ${out}`);
        assert.equal(leaks(out), undefined, `${name} after "${prefix}" leaked in ${out}`);
      }
    });
  }

  it('replaces a secret wrapped over several lines in one text', () => {
    const b64 = Buffer.from(SECRET.repeat(3), 'utf8').toString('base64');
    const wrapped = b64.match(/.{1,8}/g)?.join('\r\n') ?? '';
    const out = new Redactor([SECRET]).redact(wrapped);
    assert.equal(leaks(out.replace(/\r\n/g, '')), undefined, out);
    assert.equal(out.split('\r\n').length, wrapped.split('\r\n').length, 'the line structure is kept');
  });

  it('leaves text without the secret unchanged', () => {
    const r = new Redactor([SECRET]);
    const text = 'Restore-VMSnapshot -VMName dma-01\nexit 0\n' + Buffer.from('nothing secret here').toString('base64');
    assert.equal(r.redact(text), text);
  });

  describe('streams of lines', () => {
    for (const [name, form] of Object.entries(FORMS)) {
      it(`catches the ${name} form split between two lines at every offset`, () => {
        const r = new Redactor([SECRET]);
        for (let cut = 1; cut < form.length; cut++) {
          const out = streamed(r, ['before', `id=${form.slice(0, cut)}`, `${form.slice(cut)} after`, 'last']);
          assert.equal(out.length, 4, `cut ${cut}: every line comes out`);
          assert.equal(leaks(out.join('')), undefined, `cut ${cut} leaked: ${JSON.stringify(out)}`);
          assert.equal(out[0], 'before');
          assert.equal(out[3], 'last');
        }
      });
    }

    it('catches a secret spread over many short lines (a line splitter cut or a wrapped block)', () => {
      const r = new Redactor([SECRET]);
      const out = streamed(r, [...SECRET].map((c) => c));
      assert.equal(leaks(out.join('')), undefined, JSON.stringify(out));
    });

    it('releases a line at once when no secret can start in it, and holds one whose end could begin a secret', () => {
      const r = new Redactor([SECRET]);
      const out: string[] = [];
      const s = new StreamRedactor(r, (l) => out.push(l));
      s.push('progress 10%');
      assert.deepEqual(out, ['progress 10%']);
      s.push(`user ${SECRET.slice(0, 5)}`);
      assert.deepEqual(out, ['progress 10%'], 'held: the next line could complete the secret');
      s.push('next');
      assert.deepEqual(out, ['progress 10%', `user ${SECRET.slice(0, 5)}`, 'next']);
      s.end();
    });

    it('catches a secret that straddles the SSH line splitter\'s 64 KiB cut', () => {
      const r = new Redactor([SECRET]);
      for (const offset of [1, 5, SECRET.length - 1]) {
        const out: string[] = [];
        const stream = new StreamRedactor(r, (l) => out.push(l));
        const splitter = new LineSplitter((l) => stream.push(l));
        // Output without a newline yet: the splitter emits the first 64 KiB as a line of its own.
        const text = `${'x'.repeat(MAX_LINE_CHARS - offset)}${SECRET} end`;
        splitter.push(Buffer.from(text.slice(0, MAX_LINE_CHARS + 2)));
        splitter.push(Buffer.from(`${text.slice(MAX_LINE_CHARS + 2)}\n`));
        splitter.end();
        stream.end();
        assert.equal(out.length, 2, 'the splitter cut the line in two');
        assert.equal(leaks(out.join('')), undefined, `offset ${offset}`);
      }
    });

    it('passes lines through untouched when the run has no secrets', () => {
      const out = streamed(new Redactor(), ['a', 'b']);
      assert.deepEqual(out, ['a', 'b']);
    });
  });
});
