import * as assert from 'node:assert/strict';
import { InvalidParameterError } from '../../../src/core/errors';
import { parameterApplies, parseParameters, storableParameters, secretParameters, type ParameterDefinition } from '../../../src/core/parameters';

const defs: ParameterDefinition[] = [
  { name: 'context', type: 'string', description: 'kube context', pattern: '[a-z0-9-]+', patternDescription: 'lowercase letters, digits and dashes' },
  { name: 'route', type: 'enum', description: 'downgrade route', values: ['snapshot', 'packages'], default: 'snapshot' },
  { name: 'agents', type: 'number', description: 'agent count', integer: true, min: 1, max: 24, default: 1 },
  { name: 'force', type: 'boolean', description: 'force', default: false },
  {
    name: 'to',
    type: 'version',
    description: 'target version',
    required: false,
    validate: (v) => (v.startsWith('9.') ? 'must be 10.0 or later' : undefined),
  },
  { name: 'password', type: 'string', description: 'db password', secret: true, required: false },
];

function invalid(raw: Record<string, string>, check: (e: InvalidParameterError) => boolean): void {
  assert.throws(() => parseParameters('proc', defs, raw), (e: unknown) => e instanceof InvalidParameterError && check(e));
}

describe('parameters', () => {
  it('converts text to typed values and applies defaults', () => {
    const v = parseParameters('proc', defs, { context: 'prod-1', agents: '3', force: 'yes', to: '10.3.4' });
    assert.deepEqual(v, { context: 'prod-1', route: 'snapshot', agents: 3, force: true, to: '10.3.4' });
  });

  it('names a missing required parameter and what it accepts', () => {
    invalid({}, (e) => e.parameter === 'context' && /parameter "context" is required/.test(e.message) && /lowercase letters, digits and dashes/.test(e.message));
  });

  it('names an unknown parameter and lists the known ones', () => {
    invalid({ context: 'a', colour: 'red' }, (e) => e.parameter === 'colour' && /parameters context, route, agents, force, to, password/.test(e.message));
  });

  it('refuses a string that does not match its pattern', () => {
    invalid({ context: 'Prod EU' }, (e) => e.parameter === 'context' && /"Prod EU"/.test(e.message));
  });

  it('refuses an enum value outside its list, listing the values', () => {
    invalid({ context: 'a', route: 'magic' }, (e) => e.parameter === 'route' && /one of snapshot, packages/.test(e.message));
  });

  it('refuses a number out of range, naming the range', () => {
    invalid({ context: 'a', agents: '30' }, (e) => e.parameter === 'agents' && /above 24/.test(e.message) && /from 1 to 24/.test(e.message));
  });

  it('refuses a fractional value for a whole number', () => {
    invalid({ context: 'a', agents: '2.5' }, (e) => /not a whole number/.test(e.message));
  });

  it('refuses text for a number', () => {
    invalid({ context: 'a', agents: 'three' }, (e) => /not a number/.test(e.message));
  });

  it('refuses a boolean that is neither true nor false', () => {
    invalid({ context: 'a', force: 'maybe' }, (e) => e.parameter === 'force' && /true or false/.test(e.message));
  });

  it('refuses something that is not a version', () => {
    invalid({ context: 'a', to: 'latest' }, (e) => e.parameter === 'to' && /not a version/.test(e.message));
  });

  it('accepts versions with four parts and a suffix', () => {
    assert.equal(parseParameters('proc', defs, { context: 'a', to: '10.4.0.0-CU3' }).to, '10.4.0.0-CU3');
  });

  it("reports the procedure's own validation message", () => {
    invalid({ context: 'a', to: '9.6.0' }, (e) => /must be 10\.0 or later/.test(e.message));
  });

  it('leaves an optional parameter without default absent', () => {
    assert.equal('to' in parseParameters('proc', defs, { context: 'a' }), false);
  });

  it('keeps secret values out of storable parameters but hands them to the run', () => {
    const v = parseParameters('proc', defs, { context: 'a', password: 'hunter22' });
    assert.equal(storableParameters(defs, v).password, '***');
    assert.equal(secretParameters(defs, v).get('password'), 'hunter22');
  });
});

describe('parameterApplies: parameters declare when they matter', () => {
  const routeDefs: ParameterDefinition[] = [
    { name: 'route', type: 'enum', values: ['snapshot', 'package'] , description: 'route' },
    { name: 'hypervisor', type: 'enum', values: ['none', 'hyperv'], default: 'none', description: 'h', appliesWhen: { route: ['snapshot'] } },
    { name: 'hypervisorShell', type: 'enum', values: ['cmd', 'powershell'], default: 'cmd', description: 's', appliesWhen: { hypervisor: ['hyperv'] } },
    { name: 'packages', type: 'string', required: false, description: 'p', appliesWhen: { route: ['package'] } },
  ];
  const def = (n: string) => routeDefs.find((d) => d.name === n) as ParameterDefinition;

  it('applies a parameter only when the named parameter has one of the listed values', () => {
    assert.equal(parameterApplies(def('packages'), routeDefs, { route: 'package' }), true);
    assert.equal(parameterApplies(def('packages'), routeDefs, { route: 'snapshot' }), false);
    assert.equal(parameterApplies(def('packages'), routeDefs, {}), false, 'an unanswered condition does not hold');
  });

  it('uses the default of the named parameter when it was not given', () => {
    assert.equal(parameterApplies(def('hypervisorShell'), routeDefs, { route: 'snapshot' }), false);
    assert.equal(parameterApplies(def('hypervisorShell'), routeDefs, { route: 'snapshot', hypervisor: 'hyperv' }), true);
  });

  it('does not apply a parameter whose condition names a parameter that does not apply', () => {
    assert.equal(parameterApplies(def('hypervisorShell'), routeDefs, { route: 'package', hypervisor: 'hyperv' }), false);
  });
});
