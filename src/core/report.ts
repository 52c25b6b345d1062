// The run report: a Markdown record of a run for a change-management ticket, derived from the folder alone
// (plan, journal, logs) and redacted once more on the way out.
import { formatDuration } from './abort';
import { targetLabel } from './lock';
import { renderAction, unitKey } from './plan';
import type { RunState, UnitState } from './run-state';
import { stateCounts } from './run-state';
import type { Redactor } from './redaction';

export interface ReportInputs {
  state: RunState;
  /** The log of a step instance, or undefined when it has none. */
  readLog(step: string, instance: string): Promise<string | undefined>;
  redactor: Redactor;
  /** Lines of each log shown (from its end). */
  excerptLines?: number;
  /** When the report was made, ISO. */
  generatedAt: string;
}

const OUTCOME: Record<string, string> = {
  succeeded: 'succeeded',
  failed: 'FAILED',
  cancelled: 'cancelled',
  unfinished: 'unfinished (interrupted or still running)',
  'not-started': 'not started',
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function fence(text: string): string {
  // A fence longer than any backtick run inside, so log text cannot close it.
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}text\n${text}\n${f}`;
}

function duration(u: UnitState): string {
  return u.durationMs !== undefined ? formatDuration(u.durationMs) : '';
}

export async function renderReport(inputs: ReportInputs): Promise<string> {
  const { state, redactor } = inputs;
  const plan = state.plan;
  const excerpt = inputs.excerptLines ?? 20;
  const out: string[] = [];
  const started = state.sessions[0];
  out.push(`# Backout run ${state.runId}`);
  out.push('');
  out.push(`| | |`);
  out.push(`|---|---|`);
  out.push(`| Procedure | ${cell(plan.procedure.title)} (\`${plan.procedure.id}\` ${plan.procedure.version}) |`);
  out.push(`| Target | ${cell(plan.target.description ?? targetLabel(plan.target))}${plan.target.production ? ' — **production**' : ''} |`);
  out.push(`| Outcome | ${OUTCOME[state.status] ?? state.status}${state.finishReason ? ` — ${cell(state.finishReason)}` : ''} |`);
  if (started) out.push(`| Started | ${started.at} by ${started.by.user} on ${started.by.host} |`);
  for (const s of state.sessions.slice(1)) out.push(`| Resumed | ${s.at} by ${s.by.user} on ${s.by.host} |`);
  if (state.finishedAt) out.push(`| Finished | ${state.finishedAt} |`);
  const params = Object.entries(plan.params);
  if (params.length > 0) out.push(`| Parameters | ${cell(params.map(([k, v]) => `${k}=${String(v)}`).join(', '))} |`);
  const counts = stateCounts(state);
  out.push(`| Steps | ${Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ')} |`);
  out.push('');
  if (plan.warnings.length > 0 || state.warnings.length > 0) {
    out.push('## Warnings');
    out.push('');
    for (const w of [...plan.warnings, ...state.warnings]) out.push(`- ${w.replace(/\r?\n/g, ' ')}`);
    out.push('');
  }
  out.push('## Steps');
  out.push('');
  out.push('| # | Step | Instance | Outcome | Attempts | Duration | Confirmed by |');
  out.push('|---|---|---|---|---|---|---|');
  plan.steps.forEach((step, i) => {
    for (const inst of step.instances) {
      const u = state.units.get(unitKey(step.id, inst.instance)) as UnitState;
      const conf = u.confirmations.map((c) => `${c.by} at ${c.at} (${c.method})`).join('; ');
      out.push(`| ${i + 1} | ${cell(step.title)}${step.destructive ? ' ⚠' : ''} | ${cell(inst.instance)} | ${u.state}${u.reason ? `: ${cell(u.reason)}` : ''} | ${u.attempt} | ${duration(u)} | ${cell(conf)} |`);
    }
  });
  out.push('');
  out.push('## Details');
  for (const [i, step] of plan.steps.entries()) {
    out.push('');
    out.push(`### ${i + 1}. ${step.title}`);
    out.push('');
    out.push(`Kind: ${step.kind}; ${step.destructive ? 'destructive' : 'not destructive'}; ${step.idempotent ? 'idempotent' : 'not idempotent'}; timeout ${formatDuration(step.timeoutMs)}.`);
    out.push(`Source: ${step.source.replace(/\r?\n/g, ' ')}`);
    for (const inst of step.instances) {
      const u = state.units.get(unitKey(step.id, inst.instance)) as UnitState;
      out.push('');
      out.push(`#### ${inst.instance}: ${u.state}${u.exitCode !== undefined ? ` (exit code ${u.exitCode})` : ''}`);
      out.push('');
      out.push(fence(renderAction(inst.action)));
      const log = await inputs.readLog(step.id, inst.instance);
      if (log !== undefined && log.length > 0) {
        const lines = log.replace(/\n$/, '').split('\n');
        const shown = lines.slice(-excerpt);
        out.push('');
        out.push(lines.length > shown.length ? `Last ${shown.length} of ${lines.length} log lines:` : 'Log:');
        out.push('');
        out.push(fence(shown.join('\n')));
      }
    }
  }
  out.push('');
  out.push(`_Report generated ${inputs.generatedAt} from the run folder (plan.json, journal.jsonl, logs)._`);
  out.push('');
  return redactor.redact(out.join('\n'));
}
