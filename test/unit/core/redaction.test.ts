import * as assert from 'node:assert/strict';
import { Redactor } from '../../../src/core/redaction';

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

  it('ignores values too short to redact without garbling everything', () => {
    assert.equal(new Redactor(['1']).redact('10.1.1'), '10.1.1');
  });
});
