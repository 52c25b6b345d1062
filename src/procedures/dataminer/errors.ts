// Why a DataMiner downgrade is refused before anything changes. Each message names what was found, on which Agent
// (name and address), and what to do next; the CLI prints it as is and the extension shows it in a notification.
import { BackoutError } from '../../core/errors';

/** An Agent as messages name it: "dma-02 (10.0.0.12)". */
export function agentLabel(agent: { name: string; address: string }): string {
  return agent.address === agent.name ? agent.name : `${agent.name} (${agent.address})`;
}

export class DowngradeRefusedError extends BackoutError {
  readonly code: string = 'dataminer-downgrade-refused';
}

/** The Agents of one DMS run different versions: the vendor requires one version per cluster. */
export class AgentsDisagreeError extends DowngradeRefusedError {
  override readonly code = 'dataminer-agents-disagree';
  constructor(
    readonly dms: string,
    readonly versions: ReadonlyArray<{ agent: string; version: string }>,
  ) {
    super(
      `DMS ${dms}: the Agents do not run one DataMiner version (${versions.map((v) => `${v.agent}: ${v.version}`).join('; ')}). ` +
        'All DMAs in a cluster must run the same version. Bring them to one version (or fix the Agent list), then plan again.',
    );
  }
}

/** A fact could not be read from an Agent (command failed, unexpected answer). */
export class AgentFactError extends DowngradeRefusedError {
  override readonly code = 'dataminer-agent-fact';
  constructor(
    readonly agent: string,
    readonly what: string,
    readonly problem: string,
    readonly next: string,
  ) {
    super(`Agent ${agent}: could not read ${what}: ${problem}. ${next}`);
  }
}

/** The module swap applies but an Agent's ModuleInstallers folder lacks a suitable installer. */
export class NoSuitableInstallerError extends DowngradeRefusedError {
  override readonly code = 'dataminer-no-suitable-installer';
  constructor(
    readonly agent: string,
    readonly module: string,
    readonly limit: string,
    readonly folder: string,
    readonly found: readonly string[],
  ) {
    super(
      `Agent ${agent}: no installer of ${module} ${limit} or lower in ${folder} (found: ${found.length > 0 ? found.join(', ') : 'none'}). ` +
        `The module swap needs it after the downgrade. Copy "${module} <version>.msi" (${limit} or lower) into that folder, then plan again. Nothing was changed.`,
    );
  }
}

/** The module swap may or may not apply and the user left the choice to Backout (moduleSwap=auto). */
export class ModuleSwapQuestionError extends DowngradeRefusedError {
  override readonly code = 'dataminer-module-swap-question';
  constructor(readonly question: string) {
    super(`${question} Plan again with --param moduleSwap=yes or --param moduleSwap=no.`);
  }
}

/** The CU the DMS runs cannot be told from its build string, and the plan depends on it: the user is asked. */
export class CurrentCuQuestionError extends DowngradeRefusedError {
  override readonly code = 'dataminer-current-cu-question';
  constructor(readonly question: string) {
    super(question);
  }
}

/** The downgrade itself is impossible as asked (not lower, bad package list, …). */
export class DowngradeInputError extends DowngradeRefusedError {
  override readonly code = 'dataminer-downgrade-input';
}

/** A package the user chose cannot be used. */
export class PackageProblemError extends DowngradeRefusedError {
  override readonly code = 'dataminer-package';
  constructor(
    readonly packagePath: string,
    readonly problem: string,
    readonly next: string,
  ) {
    super(`Upgrade package ${packagePath}: ${problem}. ${next}`);
  }
}
