// The upload an ssh action may carry: shown exactly as it will be sent, kept JSON-serialisable, checked before a run.
import * as assert from 'node:assert/strict';
import { planDocument, planProblems, referencedSecrets, renderAction, type SshAction, type Step } from '../../../src/core/plan';
import { plan, step } from './engine-fixtures';

const put: SshAction = {
  kind: 'ssh',
  host: 'dma-01',
  command: '',
  upload: { localPath: '/pk/DataMiner 10.3.5.dmupgrade', remotePath: '/C:/Skyline DataMiner/Upgrades/DataMiner 10.3.5.dmupgrade' },
};

function uploadStep(id: string, action: SshAction, verify?: SshAction): Step {
  return step(id, { kind: 'ssh' }, [{ instance: 'dma-01', action, ...(verify ? { verify: { description: 'there', action: verify } } : {}) }]);
}

describe('plan model: uploads', () => {
  it('renders an upload as sftp put from the local file to the Agent and its remote path, quoting paths with spaces', () => {
    assert.equal(renderAction(put), "sftp put '/pk/DataMiner 10.3.5.dmupgrade' → dma-01:'/C:/Skyline DataMiner/Upgrades/DataMiner 10.3.5.dmupgrade'");
  });

  it('renders the preparing command first, then the upload, when the action has both', () => {
    const both: SshAction = { ...put, command: 'mkdir x', upload: { localPath: '/pk/a.zip', remotePath: '/C:/x/a.zip' } };
    assert.equal(renderAction(both), 'mkdir x\nsftp put /pk/a.zip → dma-01:/C:/x/a.zip');
  });

  it('shows the upload in plan --json rows and survives a JSON round trip unchanged', () => {
    const p = plan([uploadStep('upload', put)]);
    const copy = JSON.parse(JSON.stringify(p)) as typeof p;
    assert.deepEqual(copy, p);
    const rows = planDocument(copy).steps as Array<Record<string, unknown>>;
    assert.match(String(rows[0]?.command), /^sftp put '\/pk\/DataMiner 10\.3\.5\.dmupgrade' → dma-01:'\/C:\/Skyline DataMiner\/Upgrades\//);
  });

  it('accepts a well-formed upload', () => {
    assert.deepEqual(planProblems([uploadStep('upload', put)]), []);
  });

  it('refuses an upload to a relative, climbing or folder path, or from an empty local path', () => {
    const bad = (localPath: string, remotePath: string): string[] => planProblems([uploadStep('upload', { ...put, upload: { localPath, remotePath } })]);
    assert.match(bad('/pk/a', 'C:/x/a').join('\n'), /uploads to "C:\/x\/a", which is not an absolute SFTP path/);
    assert.match(bad('/pk/a', '/C:/x/../../etc/a').join('\n'), /not an absolute SFTP path without control characters and \.\. components/);
    assert.match(bad('/pk/a', '/C:/x/').join('\n'), /a folder: name the file/);
    assert.match(bad('', '/C:/x/a').join('\n'), /uploads from a local path that is empty/);
    assert.match(bad('/pk/a\nb', '/C:/x/a').join('\n'), /control characters/);
  });

  it('refuses an upload in a verification, which must only read', () => {
    const problems = planProblems([uploadStep('upload', { kind: 'ssh', host: 'dma-01', command: 'dir' }, put)]);
    assert.deepEqual(problems, ['step upload instance dma-01: a verification cannot upload a file']);
  });

  it('finds secret placeholders in upload paths', () => {
    assert.deepEqual(referencedSecrets([uploadStep('upload', { ...put, upload: { localPath: '/pk/${secret:share}/a', remotePath: '/C:/a' } })]), ['share']);
  });
});
