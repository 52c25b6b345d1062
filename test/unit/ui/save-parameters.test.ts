// Save Parameters… from the review of Start Rollback and from a dry run: a parameter file that `backout plan|run
// --params-file` and Start Rollback read back, without secrets, editor-supplied text or defaults; driven through the
// scripted quick inputs and a save host standing in for VS Code's dialog.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readParamsFile } from '../../../src/adapters/local/params-file';
import { REDACTED } from '../../../src/core/parameters';
import type { Procedure } from '../../../src/core/procedure';
import { preparePlan } from '../../../src/core/runs';
import { builtinProcedures } from '../../../src/procedures';
import { DEFAULT_TEMPLATE } from '../../../src/procedures/ondat';
import { readParams } from '../../../src/procedures/ondat/parameters';
import { buildPlan } from '../../../src/procedures/ondat/plan';
import { factsFromSnapshot } from '../../../src/procedures/ondat/snapshot';
import { rawParameters } from '../../../src/ui/commands/plan-parameters';
import { askRun, type RunQuestionsDeps } from '../../../src/ui/commands/run-questions';
import { saveParameterFile, type SaveParametersHost } from '../../../src/ui/commands/save-parameters';
import { ProcedureUis } from '../../../src/ui/contributions/procedure-ui';
import { clusterSnapshot } from '../ondat/cluster-fixture';
import { scripted, submit, type Shown } from './scripted-flow';

const procedures = builtinProcedures() as Procedure[];
const ondat = procedures.find((p) => p.id.includes('ondat')) as Procedure;
const PASSWORD = 'Sup3r-secret-admin-pw';
const TEMPLATE = DEFAULT_TEMPLATE.replace('name: storageos-downgrade-database', 'name: ondat-db-downgrade');

/** The contributions as far as saving is concerned: Ondat's template comes from the editor, never from a file. */
const uis = new ProcedureUis([{ procedureId: ondat.id, editorSupplied: { parameters: ['template'], supply: async (p) => ({ ...p, template: TEMPLATE }) } }]);

/** The save dialog: accepts the place offered (or the one given), or is dismissed; remembers what it offered. */
function saveHost(workspace: string | undefined, answer: (offered: string | undefined) => string | undefined = (o) => o) {
  const offered: Array<string | undefined> = [];
  const told: string[] = [];
  const host: SaveParametersHost = {
    workspaceFolder: () => workspace,
    async askFile(defaultPath) {
      offered.push(defaultPath);
      return answer(defaultPath);
    },
    tell: (m) => void told.push(m),
  };
  return { host, offered, told };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'backout-params-'));
}

const targets: RunQuestionsDeps['targets'] = {
  async list() {
    return [{ label: 'staging', value: 'staging' }];
  },
};

describe('Save Parameters… from the review', () => {
  let workspace: string;
  beforeEach(() => {
    workspace = tempDir();
  });
  afterEach(() => fs.rmSync(workspace, { recursive: true, force: true }));

  it('writes the answers to .backout/params/ of the workspace, without the password, and comes back to the review', async () => {
    const { host, offered, told } = saveHost(workspace);
    let reviews = 0;
    const reviewed: Shown[] = [];
    const { makeUi } = scripted((s) => {
      if (s.title.endsWith('procedure')) return ondat.title;
      if (s.title.endsWith('Kubernetes context')) return 'staging';
      if (s.title.endsWith('installMethod')) return 'helm';
      if (s.title.endsWith('scaleWorkloads')) return 'true';
      // A value changed from the review is asked in the review's own step.
      if (s.title.endsWith('review') && s.kind === 'input') return PASSWORD;
      if (s.title.endsWith('review')) {
        reviews += 1;
        reviewed.push(s);
        // First the password is given (a secret, typed), then the parameters are saved, then the run starts.
        if (reviews === 1) return 'adminPassword';
        if (reviews === 2) return '$(save) Save Parameters…';
        return submit;
      }
      throw new Error(`unexpected question ${s.title}`);
    });
    const choice = await askRun('Start Rollback', makeUi, {
      procedures,
      targets,
      choices: uis,
      editorSupplied: (id) => uis.editorSupplied(id),
      submitLabel: 'Start the rollback',
      submit: async () => undefined,
      save: async (c) => void (await saveParameterFile(c, host, uis.editorSupplied(c.procedure.id))),
    });

    const expected = path.join(workspace, '.backout', 'params', `${ondat.id}-staging.json`.replace(/[^A-Za-z0-9._-]/g, '_'));
    assert.deepStrictEqual(offered, [expected], 'the dialog opens in the workspace\'s .backout/params/');
    const saved = readParamsFile(expected);
    assert.strictEqual(saved.procedure, ondat.id);
    // scaleWorkloads=true is its default: a file that repeats defaults would pin them when the defaults change.
    assert.deepStrictEqual(saved.params, { context: 'staging', installMethod: 'helm' });
    assert.ok(!fs.readFileSync(expected, 'utf8').includes(PASSWORD), 'the password is never written');
    assert.match(told[0] ?? '', new RegExp(`backout plan ${ondat.id.replace(/\./g, '\\.')} --params-file .*or from Start Rollback`));
    assert.strictEqual(reviews, 3, 'the review came back after saving');
    assert.ok(reviewed[2]?.items.some((it) => it.label === 'adminPassword' && it.description?.startsWith('•••••• (given)')), 'the password answer was kept for the run');
    assert.strictEqual(choice?.params.adminPassword, PASSWORD, 'the run still gets the password');
  });

  it('writes nothing when the dialog is dismissed, and the review stays', async () => {
    const { host } = saveHost(workspace, () => undefined);
    let reviews = 0;
    const { makeUi } = scripted((s) => {
      if (s.title.endsWith('Kubernetes context')) return 'staging';
      if (s.title.endsWith('review')) return ++reviews === 1 ? '$(save) Save Parameters…' : submit;
      return (x: Shown) => x.active ?? x.items[0]?.value;
    });
    const choice = await askRun('Start Rollback', makeUi, {
      procedures: [ondat],
      targets,
      submitLabel: 'Start the rollback',
      submit: async () => undefined,
      save: async (c) => void (await saveParameterFile(c, host)),
    });
    assert.ok(!fs.existsSync(path.join(workspace, '.backout')), 'no file, no folder');
    assert.strictEqual(reviews, 2);
    assert.strictEqual(choice?.params.context, 'staging');
  });
});

describe('Save Parameters… from a dry run', () => {
  /** The Ondat planner behind the engine with the fixture cluster's facts (no cluster needed), as a dry run plans. */
  const ondatOnFixture: Procedure = {
    ...ondat,
    gatherFacts: undefined,
    plan: (p) => buildPlan(readParams(p), factsFromSnapshot('lab', clusterSnapshot(), { tools: [{ tool: 'helm', available: true, detail: 'v3.12.0' }] })),
  };

  it('writes what the plan was made with, without the redacted password or the editor\'s template, and reads back', async () => {
    const dir = tempDir();
    try {
      const params = await uis.supply(ondat.id, { context: 'lab', installMethod: 'helm', adminPassword: PASSWORD, helmNamespace: 'storageos-ops', timeoutSeconds: '900' });
      const { plan } = await preparePlan(ondatOnFixture, params, { executors: {} }, { keepBlocked: true });
      assert.strictEqual(plan.params.adminPassword, REDACTED, 'the dry run\'s plan holds no password');
      assert.strictEqual(plan.params.template, TEMPLATE);
      const file = path.join(dir, 'elsewhere', 'ondat.yaml');
      const { host, offered } = saveHost(undefined, () => file);
      const written = await saveParameterFile({ procedure: ondat, params: rawParameters(plan) }, host, uis.editorSupplied(ondat.id));
      assert.strictEqual(written, file);
      assert.deepStrictEqual(offered, [undefined], 'no workspace: no place is offered');
      const saved = readParamsFile(file);
      assert.strictEqual(saved.procedure, ondat.id);
      assert.deepStrictEqual(saved.params, { context: 'lab', installMethod: 'helm', helmNamespace: 'storageos-ops', timeoutSeconds: '900' });
      const text = fs.readFileSync(file, 'utf8');
      assert.ok(!text.includes(PASSWORD) && !text.includes(REDACTED) && !text.includes('ondat-db-downgrade'), text);
      // What was saved plans the same run again (the CLI's --params-file and Start Rollback read it so).
      const again = await preparePlan(ondatOnFixture, { ...saved.params }, { executors: {} }, { keepBlocked: true });
      assert.deepStrictEqual(again.plan.steps.map((s) => s.id), plan.steps.map((s) => s.id));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
