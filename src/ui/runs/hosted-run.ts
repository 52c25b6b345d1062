// This window attached to a run whose run host is another process (started from here, or found running when the
// window opened): follows its journal and logs, shows its questions (gates in the run panel, secrets and host keys
// in VS Code's prompts) and writes the answers back through the attach client, as `backout attach` does. Closing
// it detaches only: the run goes on.
import * as fs from 'fs';
import * as path from 'path';
import { AttachClient, type AttachAnswerer } from '../../adapters/local/attach-client';
import { JOURNAL_FILE } from '../../adapters/local/run-folder';
import { parseJournal, type JournalEvent } from '../../core/journal';

export interface HostedRunOptions {
  runId: string;
  location: string;
  /** The target's lock key (one run per target). */
  target: string;
  answerer: AttachAnswerer;
  onEvent(event: JournalEvent): void;
  /** Something else changed (a log grew, a question came or went). */
  onChange(): void;
  /** Whether the run's host still holds the run (its target lock names it and is live). */
  hostAlive(): Promise<boolean>;
  /**
   * Follow only what is written from now on: a resumed run's journal already ends with the previous session's
   * run-finished, which is not this session's end.
   */
  skipExisting?: boolean;
  pollMs?: number;
}

export type HostedEnd = { kind: 'finished' } | { kind: 'host-gone' } | { kind: 'detached' };

export class HostedRun {
  private offset = 0;
  private readonly logSizes = new Map<string, number>();
  private readonly client: AttachClient;
  private timer: NodeJS.Timeout | undefined;
  private lastAliveCheck = 0;
  private ended = false;
  private resolveDone: (end: HostedEnd) => void = () => undefined;
  readonly done: Promise<HostedEnd>;

  constructor(private readonly options: HostedRunOptions) {
    this.client = new AttachClient(options.runId, options.location, options.answerer);
    if (options.skipExisting) {
      try {
        this.offset = fs.statSync(path.join(options.location, JOURNAL_FILE)).size;
      } catch {
        // No journal yet: everything is new.
      }
    }
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.schedule(0);
  }

  get runId(): string {
    return this.options.runId;
  }

  get location(): string {
    return this.options.location;
  }

  get target(): string {
    return this.options.target;
  }

  private schedule(ms: number): void {
    if (this.ended) return;
    this.timer = setTimeout(() => void this.tick().catch(() => undefined).finally(() => this.schedule(this.options.pollMs ?? 250)), ms);
  }

  private async tick(): Promise<void> {
    // Questions are asked without waiting for the person: the journal goes on being followed meanwhile.
    void this.client.poll().catch(() => undefined);
    const finished = this.readJournal();
    if (this.logsGrew()) this.options.onChange();
    if (finished) return this.end({ kind: 'finished' });
    // The run host can die (killed, machine reboot): then the run is interrupted, and Resume settles it.
    if (Date.now() - this.lastAliveCheck > 2000) {
      this.lastAliveCheck = Date.now();
      if (!(await this.options.hostAlive())) {
        // It may have finished between the journal read and the check.
        if (this.readJournal()) return this.end({ kind: 'finished' });
        return this.end({ kind: 'host-gone' });
      }
    }
  }

  /** Whether the last session seen ended: its run-finished came after the last run-started or run-resumed. */
  private finished = false;

  /** Reads the journal's complete new lines; true once the run has finished. */
  private readJournal(): boolean {
    let text: string;
    try {
      text = fs.readFileSync(path.join(this.options.location, JOURNAL_FILE), 'utf8');
    } catch {
      return false;
    }
    // Offsets are in bytes (the journal's size on disk); the text is sliced as bytes too.
    const bytes = Buffer.from(text, 'utf8');
    const complete = bytes.lastIndexOf(0x0a) + 1;
    if (complete <= this.offset) return this.finished;
    const chunk = bytes.subarray(this.offset, complete).toString('utf8');
    this.offset = complete;
    for (const event of parseJournal(chunk, JOURNAL_FILE).events) {
      this.options.onEvent(event);
      if (event.type === 'run-finished') this.finished = true;
      else if (event.type === 'run-started' || event.type === 'run-resumed') this.finished = false;
    }
    return this.finished;
  }

  /** Whether a step's log grew since the last look (the panel's live tail refreshes). */
  private logsGrew(): boolean {
    const logs = path.join(this.options.location, 'logs');
    let grew = false;
    let steps: string[] = [];
    try {
      steps = fs.readdirSync(logs);
    } catch {
      return false;
    }
    for (const step of steps) {
      let files: string[] = [];
      try {
        files = fs.readdirSync(path.join(logs, step));
      } catch {
        continue;
      }
      for (const f of files) {
        const p = path.join(logs, step, f);
        try {
          const size = fs.statSync(p).size;
          if (size !== this.logSizes.get(p)) grew = true;
          this.logSizes.set(p, size);
        } catch {
          // Not there any more.
        }
      }
    }
    return grew;
  }

  private end(end: HostedEnd): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    this.client.close();
    this.resolveDone(end);
  }

  /**
   * Resolves once the run is recorded (its journal exists), or once the run host ended. A run host owns a new run as
   * soon as its folder exists, before it has written the plan and journal (it may first ask for a secret here).
   */
  async recorded(timeoutMs = 120_000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    let over = false;
    void this.done.then(() => (over = true));
    while (!fs.existsSync(path.join(this.options.location, JOURNAL_FILE))) {
      if (over || Date.now() > end) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  }

  /** This window stops following the run; the run goes on. */
  detach(): void {
    this.end({ kind: 'detached' });
  }
}
