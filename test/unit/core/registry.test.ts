import * as assert from 'node:assert/strict';
import { DuplicateProcedureError, UnknownProcedureError } from '../../../src/core/errors';
import type { Procedure } from '../../../src/core/procedure';
import { ProcedureRegistry } from '../../../src/core/registry';
import { labTarget, step } from './engine-fixtures';

function proc(id: string): Procedure {
  return { id, title: id, version: '1', description: '', parameters: [], target: () => labTarget, plan: () => ({ steps: [step('a')] }) };
}

describe('procedure registry', () => {
  it('lists registered procedures by id', () => {
    const r = new ProcedureRegistry();
    r.register(proc('ondat-downgrade'));
    r.register(proc('dataminer-downgrade'));
    assert.deepEqual(r.ids(), ['dataminer-downgrade', 'ondat-downgrade']);
  });

  it('finds a procedure by id', () => {
    const r = new ProcedureRegistry();
    r.register(proc('x'));
    assert.equal(r.get('x').id, 'x');
  });

  it('names the known procedures when an id is unknown', () => {
    const r = new ProcedureRegistry();
    r.register(proc('x'));
    assert.throws(() => r.get('y'), (e: unknown) => e instanceof UnknownProcedureError && /No procedure "y".*Known: x/.test(e.message));
  });

  it('refuses two procedures with one id', () => {
    const r = new ProcedureRegistry();
    r.register(proc('x'));
    assert.throws(() => r.register(proc('x')), DuplicateProcedureError);
  });
});
