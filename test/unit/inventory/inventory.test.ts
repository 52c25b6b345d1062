import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InventoryInvalidError, formatProblem } from '../../../src/adapters/store/errors';
import { agentEndpoint } from '../../../src/adapters/store/inventory-endpoint';
import { loadInventory, loadInventoryStrict, readInventoryFile, findDms, userInventoryPath, workspaceInventoryPath } from '../../../src/adapters/store/inventory-load';
import { AGENT_KEYS, DMS_KEYS, DATABASE_VM_KEYS, FILE_KEYS, HYPERVISOR_KEYS, validateInventory } from '../../../src/adapters/store/inventory-validate';
import { importableAliases, importAgents } from '../../../src/adapters/store/ssh-config-import';

const ROOT = path.join(__dirname, '..', '..', '..', '..');
const valid = () => ({
  version: 1,
  systems: [
    {
      name: 'prod-eu',
      production: true,
      hypervisor: { kind: 'vsphere', address: 'vcenter.example.com' },
      databaseVm: { name: 'cassandra-01', vmId: 'vm-9' },
      agents: [
        { name: 'dma-01', host: '10.0.0.11', user: 'Administrator', vmId: 'vm-1' },
        { name: 'dma-02', sshAlias: 'prod-dma-02', auth: 'key', identityFile: '~/.ssh/id_dms', shell: 'powershell' },
      ],
    },
  ],
});

function problemsOf(doc: unknown): string[] {
  return validateInventory(doc, '/ws/.backout/inventory.json').problems.map(formatProblem);
}

describe('inventory validation', () => {
  it('accepts a complete inventory', () => {
    assert.deepEqual(problemsOf(valid()), []);
  });

  it('names the file, the DMS and Agent, the JSON pointer and the fix', () => {
    const doc = valid();
    (doc.systems[0]?.agents[0] as Record<string, unknown>)['port'] = 70000;
    assert.deepEqual(problemsOf(doc), [
      '/ws/.backout/inventory.json: DMS "prod-eu" / Agent "dma-01" (/systems/0/agents/0/port): "port" is 70000. Fix: use a whole number from 1 to 65535 (OpenSSH listens on 22 by default)',
    ]);
  });

  it('suggests the intended name of a misspelt property', () => {
    const doc = valid();
    (doc.systems[0]?.agents[0] as Record<string, unknown>)['hots'] = 'x';
    assert.match(problemsOf(doc)[0] ?? '', /unknown property "hots"\. Fix: rename it to "host"/);
  });

  it('requires exactly one of host and sshAlias, and user with host', () => {
    const doc = valid();
    const agents = doc.systems[0]?.agents as Array<Record<string, unknown>>;
    agents[0] = { name: 'a' };
    agents[1] = { name: 'b', host: 'h', sshAlias: 's', user: 'u' };
    agents.push({ name: 'c', host: 'h' });
    const p = problemsOf(doc).join('\n');
    assert.match(p, /Agent "a".*neither "host" nor "sshAlias"/);
    assert.match(p, /Agent "b".*both "host" and "sshAlias"/);
    assert.match(p, /Agent "c".*"user" is missing.*Windows account/);
  });

  it('refuses duplicate names, missing production flags and empty Agent lists', () => {
    const doc = valid() as { version: number; systems: Array<Record<string, unknown>> };
    doc.systems.push({ name: 'prod-eu', agents: [] });
    const p = problemsOf(doc).join('\n');
    assert.match(p, /DMS "prod-eu" \(\/systems\/1\/name\): the name is used by another DMS/);
    assert.match(p, /"production" is missing\. Fix: set "production": true/);
    assert.match(p, /"agents" must list at least one Agent/);
  });

  it('refuses passwords in the file and says where they belong', () => {
    const doc = valid();
    (doc.systems[0]?.agents[0] as Record<string, unknown>)['password'] = 'hunter2';
    const p = problemsOf(doc);
    assert.equal(p.length, 1);
    assert.match(p[0] ?? '', /a password is written in the inventory\. Fix: remove it: Backout asks for passwords and keeps them in VS Code SecretStorage only/);
    assert.ok(!(p[0] ?? '').includes('hunter2'));
  });

  it('reports JSON syntax errors with line and column', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-inv-'));
    const file = path.join(dir, 'inventory.json');
    fs.writeFileSync(file, '{\n  "version": 1,\n  "systems": [,]\n}\n');
    const r = readInventoryFile(file);
    assert.match(r.problems[0]?.message ?? '', /is not valid JSON at line 3, column \d+/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('agrees with schemas/inventory.schema.json on the properties of every object', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'inventory.schema.json'), 'utf8')) as {
      properties: Record<string, unknown>;
      definitions: { dms: { properties: Record<string, { properties?: Record<string, unknown> }> }; agent: { properties: Record<string, unknown> } };
    };
    assert.deepEqual(Object.keys(schema.properties).sort(), [...FILE_KEYS].sort());
    assert.deepEqual(Object.keys(schema.definitions.dms.properties).sort(), [...DMS_KEYS].sort());
    assert.deepEqual(Object.keys(schema.definitions.agent.properties).sort(), [...AGENT_KEYS].sort());
    assert.deepEqual(Object.keys(schema.definitions.dms.properties['hypervisor']?.properties ?? {}).sort(), [...HYPERVISOR_KEYS].sort());
    assert.deepEqual(Object.keys(schema.definitions.dms.properties['databaseVm']?.properties ?? {}).sort(), [...DATABASE_VM_KEYS].sort());
  });

  it('accepts the example of the format documentation', () => {
    const md = fs.readFileSync(path.join(ROOT, 'src', 'adapters', 'store', 'inventory-format.md'), 'utf8');
    const json = /```json\n([\s\S]*?)```/.exec(md)?.[1];
    assert.ok(json !== undefined);
    assert.deepEqual(problemsOf(JSON.parse(json)), []);
  });
});

describe('inventory loading', () => {
  let home: string;
  let ws: string;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-home-'));
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-ws-'));
  });
  afterEach(() => {
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(ws, { recursive: true, force: true });
  });
  const write = (file: string, doc: unknown): void => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(doc));
  };

  it('merges the user and workspace files; a workspace DMS cannot replace a user DMS of the same name', () => {
    const user = valid();
    user.systems.push({ ...(valid().systems[0] as (typeof user.systems)[number]), name: 'lab' });
    write(userInventoryPath(home), user);
    const wsDoc = valid();
    (wsDoc.systems[0] as { production: boolean }).production = false;
    write(workspaceInventoryPath(ws), wsDoc);
    const inv = loadInventory({ homeDir: home, workspaceFolders: [ws] });
    assert.deepEqual(inv.problems, []);
    assert.deepEqual(inv.systems.map((s) => `${s.name}:${s.source.scope}`).sort(), ['lab:user', 'prod-eu:user']);
    assert.equal(findDms(inv, 'prod-eu').production, true, 'the workspace file did not lower the user\'s production flag');
    assert.deepEqual(inv.shadowed.map((s) => s.name), ['prod-eu']);
  });

  it('treats missing files as empty and throws all problems at once in strict mode', () => {
    assert.deepEqual(loadInventory({ homeDir: home, workspaceFolders: [ws] }).systems, []);
    write(workspaceInventoryPath(ws), { version: 2, systems: [] });
    assert.throws(() => loadInventoryStrict({ homeDir: home, workspaceFolders: [ws] }), (e: unknown) => e instanceof InventoryInvalidError && e.message.includes(workspaceInventoryPath(ws)) && /set "version": 1/.test(e.message));
  });

  it('names known DMSs when asked for an unknown one', () => {
    write(userInventoryPath(home), valid());
    assert.throws(() => findDms(loadInventory({ homeDir: home }), 'nope'), /No DMS "nope" in the inventory \(known: prod-eu\)/);
  });
});

describe('inventory Agents as SSH endpoints', () => {
  it('resolves an sshAlias through the SSH config; inventory user and port win; auth narrows the methods', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-home-'));
    fs.mkdirSync(path.join(home, '.ssh'));
    fs.writeFileSync(path.join(home, '.ssh', 'config'), 'Host prod-dma-02\n  HostName 10.0.0.12\n  User cfg-user\n  Port 2022\n  ProxyJump bastion\nHost bastion\n  HostName 192.0.2.10\n  User jump\n');
    const dms = valid().systems[0] as Parameters<typeof agentEndpoint>[0];
    const e = agentEndpoint(dms, { ...(dms.agents[1] as (typeof dms.agents)[number]), user: 'inv-user' }, { homeDir: home });
    assert.equal(e.name, 'prod-eu/dma-02');
    assert.deepEqual([e.host, e.port, e.user], ['10.0.0.12', 2022, 'inv-user']);
    assert.deepEqual(e.identityFiles, [path.join(home, '.ssh', 'id_dms')]);
    assert.deepEqual(e.methods, { agent: false, keys: true, password: false });
    assert.deepEqual(e.jumps.map((j) => `${j.user}@${j.host}`), ['jump@192.0.2.10']);
    const direct = agentEndpoint(dms, dms.agents[0] as (typeof dms.agents)[number]);
    assert.deepEqual([direct.host, direct.port, direct.user, direct.methods?.agent, direct.methods?.password], ['10.0.0.11', 22, 'Administrator', true, true]);
    fs.rmSync(home, { recursive: true, force: true });
  });
});

describe('import Agents from SSH config', () => {
  it('adds concrete aliases matching a pattern as sshAlias Agents, and skips them the second time', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'backout-home-'));
    fs.mkdirSync(path.join(home, '.ssh', 'conf.d'), { recursive: true });
    fs.writeFileSync(path.join(home, '.ssh', 'config'), 'Include conf.d/*\nHost bastion\n  HostName 192.0.2.1\n');
    fs.writeFileSync(path.join(home, '.ssh', 'conf.d', 'dms'), 'Host dma-01 dma-02\n  User Administrator\nHost dma-*\n  Port 22\n');
    const aliases = importableAliases({ homeDir: home }, 'dma-*');
    assert.deepEqual(aliases, ['dma-01', 'dma-02']);
    const file = path.join(home, 'ws', '.backout', 'inventory.json');
    const first = importAgents(file, 'lab', aliases, false);
    assert.deepEqual(first.added, ['dma-01', 'dma-02']);
    const second = importAgents(file, 'lab', aliases, false);
    assert.deepEqual(second.skipped, ['dma-01', 'dma-02']);
    const doc = readInventoryFile(file);
    assert.deepEqual(doc.problems, []);
    assert.deepEqual(doc.inventory?.systems[0]?.agents, [
      { name: 'dma-01', sshAlias: 'dma-01' },
      { name: 'dma-02', sshAlias: 'dma-02' },
    ]);
    fs.rmSync(home, { recursive: true, force: true });
  });
});
