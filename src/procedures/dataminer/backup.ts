// The backup the upgrade MOP takes before upgrading ("Upgrading a DMA/DMS", backup phase: a VM snapshot, or on physical
// servers a Windows/DataMiner backup), before route B installs its first package. Backout takes it with the Taskbar
// Utility's `-backup` (Taskbar Utility command line: -stop|-start|-restart|-upgrade|-backup|-restore), accepts evidence
// of one taken otherwise, or skips it — only with a reason, which the plan and the run's journal keep.
import type { Step } from '../../core/plan';
import { DowngradeInputError } from './errors';
import { UPGRADE_MOP } from './sources';
import { manualStep as manual, ssh, type AgentTarget } from './step-builders';
import * as win from '../../core/dataminer/windows-commands';

export type BackupChoice = { how: 'taskbar-utility' } | { how: 'evidence'; evidence: string } | { how: 'skip'; reason: string };

export const BACKUP_CHOICES = ['taskbar-utility', 'evidence', 'skip'] as const;

const SOURCE = `${UPGRADE_MOP}, backup: "take a backup before upgrading" (VM snapshot; physical servers: Windows/DataMiner backup); Taskbar Utility -backup`;

/** From the `backup` and `backupNote` parameters; evidence and skip need the note. */
export function backupChoice(how: string, note: string | undefined): BackupChoice {
  const text = (note ?? '').trim();
  if (how === 'evidence' || how === 'skip') {
    if (text === '') {
      throw new DowngradeInputError(
        how === 'evidence'
          ? 'backup=evidence needs backupNote: where the backup taken before this downgrade is (file, snapshot name or ticket).'
          : 'backup=skip needs backupNote: why no backup is taken before this downgrade (it is recorded with the run).',
      );
    }
    return how === 'evidence' ? { how, evidence: text } : { how, reason: text };
  }
  return { how: 'taskbar-utility' };
}

export function backupStep(choice: BackupChoice, targets: readonly AgentTarget[], timeoutMs: number): Step {
  if (choice.how === 'taskbar-utility') {
    return {
      id: 'backup',
      title: 'Take a DataMiner backup on every Agent (Taskbar Utility -backup)',
      source: SOURCE,
      kind: 'ssh',
      destructive: false,
      // Another backup next to the first does no harm.
      idempotent: true,
      timeoutMs,
      instances: targets.map((t) => ({
        instance: t.agent.name,
        action: ssh(t, win.taskbar('backup', t.paths, t.shell)),
        verify: {
          description: `a backup file is in ${win.BACKUP_DIR}`,
          action: ssh(t, win.listBackups(t.shell)),
          // A data row (a file name with its extension), not only the CSV header.
          expectOutput: '^"[^"]+\\.[^"]+","[^"]+"$',
        },
      })),
    };
  }
  const instructions =
    choice.how === 'evidence'
      ? `Check that the backup taken before this downgrade exists and is complete: ${choice.evidence}. Confirm only when you have seen it.`
      : `No backup is taken before this downgrade. Reason given: ${choice.reason}. Confirm to go on without one.`;
  return manual('backup', choice.how === 'evidence' ? 'Confirm the backup taken before the downgrade' : 'Confirm going on without a backup', SOURCE, instructions);
}
