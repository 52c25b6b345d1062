import * as assert from 'node:assert/strict';
import { InvalidParameterError } from '../../../src/core/errors';
import type { Procedure } from '../../../src/core/procedure';
import { preparePlan } from '../../../src/core/runs';
import { SecretReferenceInFactsError } from '../../../src/core/secrets';

/** A procedure that writes a parameter, a fact and a secret reference of its own into one command. */
function procedure(fact: unknown): Procedure<{ owner: unknown }> {
  return {
    id: 'test.secret-refs',
    title: 'Test: secret references',
    version: '1.0.0',
    description: 'Logs in as the owner read from the target.',
    parameters: [
      { name: 'target', type: 'string', description: 'Target', default: 'lab-1' },
      { name: 'label', type: 'string', description: 'A free-text label', default: 'x' },
      { name: 'adminPassword', type: 'string', secret: true, description: 'The admin password', required: false },
    ],
    target: (p) => ({ kind: 'test', name: String(p.target), production: false }),
    gatherFacts: async () => ({ owner: fact }),
    plan: (p, f) => ({
      steps: [
        {
          id: 'login',
          title: 'Log in',
          source: 'test',
          kind: 'local',
          destructive: false,
          idempotent: true,
          timeoutMs: 1000,
          instances: [{ instance: 'lab-1', action: { kind: 'local', argv: ['login', String(p.label), JSON.stringify(f?.owner), '${secret:adminPassword}'] } }],
        },
      ],
    }),
  };
}

const host = { executors: {} };

describe('secret references', () => {
  it('expands references the procedure wrote: the plan names the secret it needs', async () => {
    const { plan } = await preparePlan(procedure('bob'), { adminPassword: 'long-enough' }, host);
    assert.deepEqual(plan.secrets, ['adminPassword']);
  });

  it('refuses a parameter value that holds a secret reference, naming the parameter', async () => {
    await assert.rejects(
      preparePlan(procedure('bob'), { label: '${secret:adminPassword}', adminPassword: 'long-enough' }, host),
      (e: Error) => e instanceof InvalidParameterError && e.parameter === 'label' && /\$\{secret:/.test(e.message),
    );
  });

  it('refuses facts read from the target that hold a secret reference, naming where', async () => {
    await assert.rejects(
      preparePlan(procedure({ agents: [{ name: 'dma-01' }, { name: 'x ${secret:adminPassword}' }] }), { adminPassword: 'long-enough' }, host),
      (e: Error) => e instanceof SecretReferenceInFactsError && /\.owner\.agents\[1\]\.name/.test(e.message),
    );
  });

  it('refuses a secret parameter too short to redact, without showing it', async () => {
    await assert.rejects(
      preparePlan(procedure('bob'), { adminPassword: 'pw1' }, host),
      (e: Error) => e instanceof InvalidParameterError && e.parameter === 'adminPassword' && !e.message.includes('pw1'),
    );
  });
});
