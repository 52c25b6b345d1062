import * as assert from 'node:assert/strict';
import type { Procedure } from '../../../src/core/procedure';
import type { FlowUi } from '../../../src/ui/commands/flow';
import { parameterProblem } from '../../../src/ui/commands/parameters';
import { typeValue } from '../../../src/ui/commands/run-questions';

const procedure: Procedure = {
  id: 'test.params',
  title: 'Test',
  version: '1.0.0',
  description: 'Parameters only.',
  parameters: [
    { name: 'label', type: 'string', description: 'A label' },
    { name: 'adminPassword', type: 'string', secret: true, description: 'Admin password' },
  ],
  target: () => ({ kind: 'test', name: 't', production: false }),
  plan: () => ({ steps: [] }),
};

/** Types the given texts into the input boxes, one per step, checking each with the step's own validation. */
function typing(texts: string[]): FlowUi & { problems: Array<string | undefined> } {
  const problems: Array<string | undefined> = [];
  return {
    problems,
    pick: () => Promise.reject(new Error('no pick expected')),
    input: async (o) => {
      const t = texts.shift() as string;
      problems.push(o.validate(t));
      return t;
    },
  };
}

describe('parameter prompts', () => {
  it('uses a typed secret exactly as typed, leading and trailing spaces included', async () => {
    const values: Record<string, string> = {};
    const ui = typing(['  my label ', ' pass word ']);
    for (const def of procedure.parameters) await typeValue(ui, procedure, def, values, undefined);
    assert.deepEqual(values, { label: 'my label', adminPassword: ' pass word ' });
    assert.deepEqual(ui.problems, [undefined, undefined]);
  });

  it('refuses a secret too short to be kept out of logs', () => {
    const def = procedure.parameters[1] as Procedure['parameters'][number];
    assert.match(parameterProblem(procedure, def, 'pw1') ?? '', /at least 4 characters/);
  });
});
