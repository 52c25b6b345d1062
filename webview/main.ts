// The run panel's browser code: renders the run view the extension posts (steps × instances matrix, gate, log
// tail) and sends the user's actions back. It imports only the shared protocol and the UI toolkit's elements.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import { isHostMessage, type BlockerView, type CellView, type GateView, type LogTail, type PanelMessage, type RunView, type StepView } from '../src/ui/panel/protocol';

interface VsCodeApi {
  postMessage(message: PanelMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app') as HTMLElement;

let view: RunView | undefined;
let tail: LogTail | undefined;
let selected: { step: string; instance: string } | undefined;
let errorText: string | undefined;

const STATE_ICON: Record<CellView['state'], string> = {
  planned: 'circle-large-outline',
  'awaiting-confirmation': 'question',
  running: 'sync~spin',
  succeeded: 'pass-filled',
  failed: 'error',
  skipped: 'debug-step-over',
  cancelled: 'circle-slash',
};

const STATE_LABEL: Record<CellView['state'], string> = {
  planned: 'planned',
  'awaiting-confirmation': 'awaiting confirmation',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  skipped: 'skipped',
  cancelled: 'cancelled',
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string | undefined>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) if (c !== undefined) node.append(c);
  return node;
}

function custom(tag: string, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function icon(name: string, label?: string): HTMLElement {
  const [base, modifier] = name.split('~');
  const span = el('span', { class: `codicon codicon-${base}${modifier ? ` codicon-modifier-${modifier}` : ''}` });
  if (label) span.setAttribute('aria-label', label);
  else span.setAttribute('aria-hidden', 'true');
  return span;
}

function send(message: PanelMessage): void {
  vscode.postMessage(message);
}

function duration(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 100) / 10;
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function header(v: RunView): HTMLElement {
  const status = v.dryRun ? 'dry run' : v.status;
  const title = el('div', { class: 'title' }, el('h1', {}, v.procedure), custom('vscode-badge', { class: `status status-${v.status}`, 'aria-label': `status ${status}` }, status));
  const meta = el('p', { class: 'meta' }, 'Target: ', el('strong', {}, v.target));
  if (v.production) meta.append(' ', custom('vscode-badge', { class: 'production', 'aria-label': 'production target' }, 'production'));
  if (!v.dryRun) meta.append(el('span', { class: 'run-id' }, ` · ${v.runId}`));
  if (v.activeElsewhere) meta.append(el('span', {}, ` · running in ${v.activeElsewhere}`));
  if (v.finishReason) meta.append(el('span', {}, ` · ${v.finishReason}`));
  const actions = el('div', { class: 'actions', role: 'toolbar', 'aria-label': 'Run actions' });
  const running = v.status === 'running';
  if (running && (v.activeHere || v.activeElsewhere)) actions.append(button('Cancel run', 'debug-stop', () => send({ type: 'cancelRun' }), 'secondary'));
  if (!v.dryRun && !running && v.status !== 'succeeded' && v.status !== 'not-started') actions.append(button('Resume', 'debug-continue', () => send({ type: 'resumeRun' })));
  if (!v.dryRun) actions.append(button('Export report', 'output', () => send({ type: 'exportReport' }), 'secondary'));
  if (v.dryRun && !(v.blockers && v.blockers.length > 0)) actions.append(button('Start This Rollback', 'play', () => send({ type: 'startFromPlan' })));
  if (!v.dryRun && !running && (v.status === 'succeeded' || v.status === 'failed' || v.status === 'cancelled')) actions.append(button('Run Again', 'debug-restart', () => send({ type: 'runAgain' }), 'secondary'));
  actions.append(button('Save Parameters…', 'save', () => send({ type: 'saveParameters' }), 'secondary'));
  return el('header', {}, title, meta, actions);
}

/** What refuses this plan, above everything else, with the parameter value or action that resolves it. */
function blockersBox(blockers: readonly BlockerView[]): HTMLElement {
  const box = el('section', { class: 'blockers', role: 'alert', 'aria-labelledby': 'blockers-title' });
  box.append(el('h2', { id: 'blockers-title' }, icon('error'), ` This rollback cannot start yet`));
  for (const b of blockers) {
    const item = el('div', { class: 'blocker' }, el('p', { class: 'problem' }, b.problem), el('p', { class: 'resolution' }, el('strong', {}, 'Resolve: '), b.resolution));
    const fix = b.parameter;
    if (fix) item.append(button(`Plan again with ${fix.name}=${fix.value}`, 'refresh', () => send({ type: 'replanWith', parameter: fix.name, value: fix.value })));
    box.append(item);
  }
  return box;
}

function button(label: string, codicon: string, onClick: () => void, kind?: 'secondary'): HTMLElement {
  const b = custom('vscode-button', { icon: codicon, ...(kind ? { secondary: '' } : {}) }, label);
  b.addEventListener('click', onClick);
  return b;
}

function gateBox(gate: GateView): HTMLElement {
  const box = el('section', { class: 'gate', role: 'alertdialog', 'aria-labelledby': 'gate-title', ...(gate.detail ? { 'aria-describedby': 'gate-detail' } : {}) });
  box.append(el('h2', { id: 'gate-title' }, icon('warning'), ` Confirm: ${gate.title}`));
  box.append(el('p', {}, 'Target: ', el('strong', {}, gate.target)));
  if (gate.detail) box.append(el('pre', { id: 'gate-detail', class: 'gate-detail', tabindex: '0' }, gate.detail));
  let field: HTMLElement | undefined;
  if (gate.expected !== undefined) {
    box.append(el('label', { for: 'gate-typed' }, `This is a production target. Type `, el('code', {}, gate.expected), ' to confirm.'));
    field = custom('vscode-textfield', { id: 'gate-typed', placeholder: gate.expected, 'aria-label': `Type ${gate.expected} to confirm` });
    box.append(field);
  }
  const confirm = button(gate.expected !== undefined ? 'Confirm' : `Confirm on ${gate.target}`, 'check', () => {
    const typed = field ? (field as unknown as { value: string }).value : undefined;
    send({ type: 'confirmGate', gateId: gate.id, ...(typed !== undefined ? { typed } : {}) });
  });
  confirm.classList.add('gate-confirm');
  const decline = button('Decline', 'close', () => send({ type: 'declineGate', gateId: gate.id }), 'secondary');
  decline.classList.add('gate-decline');
  box.append(el('div', { class: 'actions' }, confirm, decline));
  return box;
}

function cellButton(step: StepView, cell: CellView, showInstance = false): HTMLElement {
  const isSelected = selected?.step === cell.step && selected?.instance === cell.instance;
  const label = `${step.title}, ${cell.instance}: ${STATE_LABEL[cell.state]}${cell.durationMs !== undefined ? `, ${duration(cell.durationMs)}` : ''}${cell.reason ? `, ${cell.reason}` : ''}`;
  const b = el('button', {
    class: `cell state-${cell.state}${isSelected ? ' selected' : ''}`,
    'aria-label': label,
    'aria-pressed': String(isSelected),
    title: label,
    'data-step': cell.step,
    'data-instance': cell.instance,
  });
  b.append(icon(STATE_ICON[cell.state]));
  if (showInstance) b.append(el('span', { class: 'cell-instance' }, cell.instance));
  b.append(el('span', { class: 'cell-text' }, STATE_LABEL[cell.state]));
  if (cell.durationMs !== undefined) b.append(el('span', { class: 'cell-duration' }, duration(cell.durationMs)));
  b.addEventListener('click', () => select(cell.step, cell.instance));
  b.addEventListener('keydown', (e) => moveFocus(e, b));
  return b;
}

/**
 * A grid with one column per instance when the plan acts on a few instances that its fanned-out steps share (the
 * Agents of a DMS); otherwise one row per step with its instances as chips, so that plans over many different
 * instances (nodes, workloads, operators) stay readable.
 */
function useGrid(v: RunView): boolean {
  if (v.instances.length > 6) return false;
  const fanned = v.steps.filter((s) => s.cells.length > 1);
  if (fanned.length === 0) return false;
  const first = fanned[0]?.cells.map((c) => c.instance).join('\u0000');
  return fanned.every((s) => s.cells.map((c) => c.instance).join('\u0000') === first);
}

function stepHeader(step: StepView): HTMLElement {
  const flags = el('span', { class: 'flags' });
  if (step.destructive) flags.append(el('span', { class: 'flag destructive', title: 'destructive: needs confirmation' }, icon('flame', 'destructive')));
  if (!step.idempotent) flags.append(el('span', { class: 'flag', title: 'not idempotent: never re-run silently' }, icon('lock', 'not idempotent')));
  return el('th', { scope: 'row', title: step.source }, el('span', { class: 'step-title' }, step.title), flags, el('span', { class: 'step-kind' }, step.kind));
}

function matrix(v: RunView): HTMLElement {
  const grid = useGrid(v);
  const columns = grid ? [...new Set(v.steps.filter((s) => s.cells.length > 1).flatMap((s) => s.cells.map((c) => c.instance)))] : [];
  const table = el('table', { class: `matrix ${grid ? 'grid' : 'chips'}`, role: 'grid', 'aria-label': 'Steps by instance' });
  const head = el('tr', {}, el('th', { scope: 'col' }, 'Step'));
  if (grid) for (const inst of columns) head.append(el('th', { scope: 'col' }, inst));
  else head.append(el('th', { scope: 'col' }, 'Instances'));
  table.append(el('thead', {}, head));
  const body = el('tbody');
  for (const step of v.steps) {
    const row = el('tr', {}, stepHeader(step));
    const byInstance = new Map(step.cells.map((c) => [c.instance, c]));
    if (grid && step.cells.length > 1) {
      for (const inst of columns) {
        const cell = byInstance.get(inst);
        row.append(el('td', {}, cell ? cellButton(step, cell) : el('span', { class: 'none', 'aria-label': 'not run on this instance' }, '—')));
      }
    } else {
      const td = el('td', grid ? { colspan: String(columns.length) } : {});
      const list = el('div', { class: 'chips' });
      for (const cell of step.cells) list.append(cellButton(step, cell, step.cells.length > 1 || !grid));
      td.append(list);
      row.append(td);
    }
    body.append(row);
  }
  table.append(body);
  return table;
}

function moveFocus(e: KeyboardEvent, from: HTMLElement): void {
  const cells = [...app.querySelectorAll<HTMLButtonElement>('button.cell')];
  const i = cells.indexOf(from as HTMLButtonElement);
  if (i < 0) return;
  const rowOf = (b: HTMLElement) => b.closest('tr');
  let target: HTMLButtonElement | undefined;
  if (e.key === 'ArrowRight') target = cells[i + 1];
  else if (e.key === 'ArrowLeft') target = cells[i - 1];
  else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    const rows = [...app.querySelectorAll('tbody tr')];
    const r = rows.indexOf(rowOf(from) as Element);
    const next = rows[r + (e.key === 'ArrowDown' ? 1 : -1)];
    target = next?.querySelector<HTMLButtonElement>('button.cell') ?? undefined;
  }
  if (target) {
    e.preventDefault();
    target.focus();
  }
}

function details(v: RunView): HTMLElement {
  const section = el('section', { class: 'details', 'aria-label': 'Selected step' });
  if (!selected) return section;
  const step = v.steps.find((s) => s.id === selected?.step);
  const cell = step?.cells.find((c) => c.instance === selected?.instance);
  if (!step || !cell) return section;
  section.append(el('h2', {}, `${step.title} — ${cell.instance}`));
  section.append(el('p', { class: 'source' }, icon('book'), ` ${step.source}`));
  const facts = el('p', { class: 'facts' }, `State: ${STATE_LABEL[cell.state]}`);
  if (cell.attempt > 1) facts.append(` · attempt ${cell.attempt}`);
  if (cell.exitCode !== undefined) facts.append(` · exit code ${cell.exitCode}`);
  if (cell.reason) facts.append(` · ${cell.reason}`);
  section.append(facts);
  section.append(el('h3', {}, v.dryRun ? 'Command, exactly as it would be sent' : 'Command'));
  section.append(el('pre', { class: 'command', tabindex: '0' }, step.commands[cell.instance] ?? ''));
  if (!v.dryRun) {
    const heading = el('h3', {}, 'Log');
    const open = el('a', { href: '#', class: 'open-log', role: 'button' }, icon('go-to-file'), ' Open full log in the editor');
    open.addEventListener('click', (e) => {
      e.preventDefault();
      send({ type: 'openLog', step: step.id, instance: cell.instance });
    });
    section.append(el('div', { class: 'log-head' }, heading, open));
    const pre = el('pre', { class: 'tail', tabindex: '0', 'aria-label': `Last lines of the log of ${step.title} on ${cell.instance}` });
    if (tail && tail.step === step.id && tail.instance === cell.instance) {
      if (tail.truncated) pre.append(el('span', { class: 'truncated' }, '… earlier lines are in the full log\n'));
      for (const line of tail.lines) pre.append(logLine(line));
      if (tail.lines.length === 0) pre.append(el('span', { class: 'empty' }, 'No output yet.'));
    }
    section.append(pre);
  }
  return section;
}

function logLine(line: string): HTMLElement {
  const cls = /^\S+\s+stderr /.test(line) ? 'stderr' : /^\S+\s+info /.test(line) ? 'info' : 'stdout';
  return el('span', { class: `line ${cls}` }, `${line}\n`);
}

function select(step: string, instance: string): void {
  selected = { step, instance };
  vscode.setState({ runId: view?.runId, selected });
  send({ type: 'select', step, instance });
  render();
  app.querySelector<HTMLButtonElement>(`button.cell[data-step="${CSS.escape(step)}"][data-instance="${CSS.escape(instance)}"]`)?.focus();
}

function render(): void {
  if (!view) return;
  const focusedKey = (document.activeElement as HTMLElement | null)?.dataset?.step
    ? `${(document.activeElement as HTMLElement).dataset.step}/${(document.activeElement as HTMLElement).dataset.instance}`
    : undefined;
  const typed = (document.getElementById('gate-typed') as unknown as { value?: string } | null)?.value;
  app.replaceChildren();
  app.append(header(view));
  if (errorText) app.append(el('p', { class: 'error', role: 'alert' }, icon('error'), ` ${errorText}`));
  if (view.blockers && view.blockers.length > 0) app.append(blockersBox(view.blockers));
  if (view.warnings.length > 0) {
    const list = el('ul', { class: 'warnings', 'aria-label': 'Warnings' });
    for (const w of view.warnings) list.append(el('li', {}, icon('warning'), ` ${w}`));
    app.append(list);
  }
  if (view.gate) app.append(gateBox(view.gate));
  app.append(el('div', { class: 'layout' }, matrix(view), details(view)));
  if (typed !== undefined) {
    const field = document.getElementById('gate-typed') as unknown as { value: string } | null;
    if (field) field.value = typed;
  }
  if (focusedKey) {
    const [s, i] = focusedKey.split('/');
    app.querySelector<HTMLButtonElement>(`button.cell[data-step="${CSS.escape(s ?? '')}"][data-instance="${CSS.escape(i ?? '')}"]`)?.focus();
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const m = event.data;
  if (!isHostMessage(m)) return;
  switch (m.type) {
    case 'run':
      view = m.view;
      errorText = undefined;
      vscode.setState({ runId: view.runId, selected });
      render();
      return;
    case 'tail':
      tail = m.tail;
      selected = { step: m.tail.step, instance: m.tail.instance };
      render();
      return;
    case 'lines': {
      if (!tail || tail.step !== m.step || tail.instance !== m.instance) return;
      tail.lines.push(...m.lines);
      if (tail.lines.length > 200) {
        tail.lines.splice(0, tail.lines.length - 200);
        tail.truncated = true;
      }
      const pre = app.querySelector('pre.tail');
      if (pre) {
        pre.querySelector('.empty')?.remove();
        for (const line of m.lines) pre.append(logLine(line));
        while (pre.querySelectorAll('.line').length > 200) pre.querySelector('.line')?.remove();
      }
      return;
    }
    case 'error':
      errorText = m.message;
      render();
      return;
  }
});

const saved = vscode.getState() as { selected?: { step: string; instance: string } } | undefined;
if (saved?.selected) selected = saved.selected;
send({ type: 'ready' });
if (selected) send({ type: 'select', step: selected.step, instance: selected.instance });
