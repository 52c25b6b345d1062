// The inventory store's public surface.
export type { InventoryFile, InventoryDms, InventoryAgent, InventoryHypervisor, InventoryDatabaseVm, LoadedDms, AgentAuth, AgentShell } from './inventory-types';
export * from './errors';
export { validateInventory } from './inventory-validate';
export type { LoadedInventory, LoadOptions } from './inventory-load';
export { loadInventory, loadInventoryStrict, readInventoryFile, findDms, userInventoryPath, workspaceInventoryPath, INVENTORY_FILE } from './inventory-load';
export { agentEndpoint } from './inventory-endpoint';
export type { ImportResult } from './ssh-config-import';
export { importableAliases, importAgents, agentNameFor } from './ssh-config-import';
export type { InventoryDmsFacts } from './dms-facts';
export { gatherDmsFacts } from './dms-facts';
