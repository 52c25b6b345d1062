// Text renderings for the terminal: plans, runs, run state. JSON output is built elsewhere from the same data.
import { formatDuration } from '../core/abort';
import { targetLabel } from '../core/lock';
import { describeAccepted } from '../core/parameters';
import { planRows, type Plan } from '../core/plan';
import type { Procedure } from '../core/procedure';
import { stateCounts, unitsInOrder, type RunState } from '../core/run-state';

function indent(text: string, prefix: string): string {
  return text.split('\n').map((l) => prefix + l).join('\n');
}

export function formatProcedures(list: readonly Procedure[]): string {
  if (list.length === 0) return 'No procedures are registered. Load a procedure module with --procedures FILE or BACKOUT_PROCEDURE_MODULES.\n';
  const out: string[] = [];
  for (const p of list) {
    out.push(`${p.id}  (v${p.version})  ${p.title}`);
    if (p.description) out.push(indent(p.description, '    '));
    for (const d of p.parameters) {
      const req = d.default !== undefined ? `default ${String(d.default)}` : d.required === false ? 'optional' : 'required';
      out.push(`    --param ${d.name}=…  ${d.description} (${describeAccepted(d)}; ${req}${d.secret ? '; secret' : ''})`);
    }
    out.push('');
  }
  return out.join('\n');
}

export function formatPlan(plan: Plan): string {
  const out: string[] = [];
  out.push(`Plan: ${plan.procedure.title} (${plan.procedure.id} v${plan.procedure.version})`);
  out.push(`Target: ${plan.target.description ?? targetLabel(plan.target)}${plan.target.production ? '  [PRODUCTION]' : ''}`);
  const params = Object.entries(plan.params);
  if (params.length > 0) out.push(`Parameters: ${params.map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
  for (const w of plan.warnings) out.push(`Warning: ${w}`);
  out.push('');
  const rows = planRows(plan);
  let n = 0;
  let last = '';
  for (const r of rows) {
    if (r.id !== last) {
      n++;
      last = r.id;
      const flags = [r.kind, r.destructive ? 'DESTRUCTIVE' : '', r.idempotent ? 'idempotent' : 'not idempotent', `timeout ${formatDuration(r.timeoutMs)}`].filter(Boolean);
      out.push(`${n}. ${r.title}  [${flags.join(', ')}]  (${r.id})`);
      out.push(`   source: ${r.source.replace(/\n/g, ' ')}`);
    }
    out.push(`   - ${r.instance}:`);
    out.push(indent(r.command, '       '));
    if (r.verify) out.push(indent(`verify: ${r.verify}`, '       '));
  }
  return `${out.join('\n')}\n`;
}

export function formatRunState(state: RunState, extra: { tornLine?: { line: number; text: string }; activity?: string }): string {
  const plan = state.plan;
  const out: string[] = [];
  out.push(`Run ${state.runId}: ${extra.activity ?? state.status}${state.finishReason ? ` — ${state.finishReason}` : ''}`);
  out.push(`Procedure: ${plan.procedure.title} (${plan.procedure.id} v${plan.procedure.version})`);
  out.push(`Target: ${plan.target.description ?? targetLabel(plan.target)}${plan.target.production ? '  [PRODUCTION]' : ''}`);
  for (const s of state.sessions) out.push(`${s.kind === 'start' ? 'Started' : 'Resumed'}: ${s.at} by ${s.by.user} on ${s.by.host} (pid ${s.by.pid})`);
  if (state.finishedAt) out.push(`Finished: ${state.finishedAt}`);
  const counts = Object.entries(stateCounts(state)).filter(([, c]) => c > 0).map(([k, c]) => `${c} ${k}`);
  out.push(`Steps: ${counts.join(', ')}`);
  for (const w of state.warnings) out.push(`Warning: ${w}`);
  if (extra.tornLine) out.push(`Note: the last journal line (${extra.tornLine.line}) is torn and is ignored; resume removes it.`);
  out.push('');
  for (const u of unitsInOrder(state)) {
    const d = u.durationMs !== undefined ? `  ${formatDuration(u.durationMs)}` : '';
    const a = u.attempt > 1 ? `  (${u.attempt} attempts)` : '';
    out.push(`  ${u.state.padEnd(21)} ${u.step} / ${u.instance}${d}${a}${u.reason ? `  — ${u.reason}` : ''}`);
  }
  return `${out.join('\n')}\n`;
}

/** The JSON form of a run's state for `show --json` (the same data as the text form). */
export function runStateDocument(state: RunState, extra: { tornLine?: { line: number; text: string }; activity?: string }): object {
  return {
    runId: state.runId,
    status: state.status,
    activity: extra.activity ?? state.status,
    finishReason: state.finishReason ?? null,
    procedure: state.plan.procedure,
    target: state.plan.target,
    params: state.plan.params,
    sessions: state.sessions,
    startedAt: state.startedAt ?? null,
    finishedAt: state.finishedAt ?? null,
    warnings: state.warnings,
    tornLine: extra.tornLine ?? null,
    units: unitsInOrder(state),
  };
}
