// The run panel's message protocol, shared by the extension (src/ui/panel) and the webview (webview/). Every message
// is declared once here, with a type guard for what arrives from the other side. The extension posts nothing before
// the webview has said `ready`, so no message is lost while the page loads.

export type CellState = 'planned' | 'awaiting-confirmation' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export interface CellView {
  step: string;
  instance: string;
  state: CellState;
  attempt: number;
  durationMs?: number;
  exitCode?: number;
  /** Why it failed, was skipped or was cancelled. */
  reason?: string;
}

export interface StepView {
  id: string;
  title: string;
  source: string;
  kind: string;
  destructive: boolean;
  idempotent: boolean;
  /** The exact command or manifest each instance sends, by instance. */
  commands: Record<string, string>;
  cells: CellView[];
}

export interface GateView {
  id: string;
  title: string;
  target: string;
  detail?: string;
  /** Set for production targets: the text the user must type. */
  expected?: string;
}

export type RunStatusView = 'not-started' | 'unfinished' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface RunView {
  runId: string;
  procedure: string;
  target: string;
  production: boolean;
  status: RunStatusView;
  /** True while this VS Code window is executing the run (so it can be cancelled from here). */
  activeHere: boolean;
  /** True while another process (e.g. the CLI) holds the target's lock for this run. */
  activeElsewhere?: string;
  startedAt?: string;
  finishedAt?: string;
  finishReason?: string;
  warnings: string[];
  /** Column order of the matrix: every instance name, in plan order. */
  instances: string[];
  steps: StepView[];
  gate?: GateView;
  dryRun: boolean;
  /** Dry runs: prerequisites that refuse the run, each with what resolves it (shown above the plan). */
  blockers?: BlockerView[];
}

export interface BlockerView {
  problem: string;
  resolution: string;
  /** The parameter value that resolves it: the panel offers to plan again with it. */
  parameter?: { name: string; value: string };
}

export interface LogTail {
  step: string;
  instance: string;
  lines: string[];
  /** Lines were dropped before these (the tail is bounded). */
  truncated: boolean;
}

// Extension → webview
export type HostMessage =
  | { type: 'run'; view: RunView }
  | { type: 'tail'; tail: LogTail }
  | { type: 'lines'; step: string; instance: string; lines: string[] }
  | { type: 'error'; message: string };

// Webview → extension
export type PanelMessage =
  | { type: 'ready' }
  | { type: 'select'; step: string; instance: string }
  | { type: 'openLog'; step: string; instance: string }
  | { type: 'confirmGate'; gateId: string; typed?: string }
  | { type: 'declineGate'; gateId: string }
  | { type: 'cancelRun' }
  | { type: 'resumeRun' }
  | { type: 'exportReport' }
  | { type: 'startFromPlan' }
  | { type: 'replanWith'; parameter: string; value: string }
  | { type: 'saveParameters' }
  | { type: 'runAgain' };

/** Lines kept in the live tail; the full log opens in the editor. */
export const TAIL_LINES = 200;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function str(v: unknown): v is string {
  return typeof v === 'string';
}

export function isPanelMessage(v: unknown): v is PanelMessage {
  if (!isRecord(v) || !str(v.type)) return false;
  switch (v.type) {
    case 'ready':
    case 'cancelRun':
    case 'resumeRun':
    case 'exportReport':
    case 'startFromPlan':
    case 'saveParameters':
    case 'runAgain':
      return true;
    case 'replanWith':
      return str(v.parameter) && str(v.value);
    case 'select':
    case 'openLog':
      return str(v.step) && str(v.instance);
    case 'confirmGate':
      return str(v.gateId) && (v.typed === undefined || str(v.typed));
    case 'declineGate':
      return str(v.gateId);
    default:
      return false;
  }
}

export function isHostMessage(v: unknown): v is HostMessage {
  if (!isRecord(v) || !str(v.type)) return false;
  switch (v.type) {
    case 'run':
      return isRecord(v.view) && str(v.view.runId);
    case 'tail':
      return isRecord(v.tail) && str(v.tail.step) && Array.isArray(v.tail.lines);
    case 'lines':
      return str(v.step) && str(v.instance) && Array.isArray(v.lines);
    case 'error':
      return str(v.message);
    default:
      return false;
  }
}
