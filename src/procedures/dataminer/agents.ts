// The Agents of the DMS a downgrade acts on, from the `agents` parameter: `name[=address]` separated by commas.
// The name is how Backout reaches the Agent over SSH (inventory name or SSH config alias); the address is what the
// Agents call each other in UpgradeInfo.xml (the name itself when no address is given).
import { DowngradeInputError } from './errors';

export interface AgentRef {
  name: string;
  address: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const ADDRESS = /^[A-Za-z0-9.:-]{1,253}$/;

export function parseAgents(text: string): AgentRef[] {
  const agents: AgentRef[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const eq = raw.indexOf('=');
    const name = (eq < 0 ? raw : raw.slice(0, eq)).trim();
    const address = (eq < 0 ? name : raw.slice(eq + 1)).trim();
    if (!NAME.test(name)) {
      throw new DowngradeInputError(`Agent "${name}" in the agents parameter is not a valid name (letters, digits, . _ -). Write agents as dma-01=10.0.0.11,dma-02=10.0.0.12.`);
    }
    if (!ADDRESS.test(address)) {
      throw new DowngradeInputError(`Agent ${name}: address "${address}" is not an IP address or host name. Write agents as dma-01=10.0.0.11,dma-02=10.0.0.12.`);
    }
    if (seen.has(name.toLowerCase())) throw new DowngradeInputError(`Agent ${name} is listed twice in the agents parameter.`);
    seen.add(name.toLowerCase());
    agents.push({ name, address });
  }
  return agents;
}

/** Validator for the parameter: undefined when well formed. */
export function agentsProblem(text: string): string | undefined {
  try {
    parseAgents(text);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
