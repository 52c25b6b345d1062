// Going back across the BrokerGateway migration. BrokerGateway_Migration.md, "Migrating back to the old system": "This is
// no longer possible from DataMiner 10.6.0/10.6.1 onwards" (before that, NATSMigrationRollback.dmupgrade); NATS managed
// by BrokerGateway exists from 10.5.0 [CU2]/10.5.5 (Investigating_NATS_Issues.md). So a downgrade from 10.6.0/10.6.1 or
// later to a version without BrokerGateway support cannot bring the old NATS setup back.
import { formatVersion, releaseKind, type DmVersion } from './version';

export const NO_WAY_BACK_STATEMENT =
  'BrokerGateway_Migration.md, "Migrating back to the old system": "This is no longer possible from DataMiner 10.6.0/10.6.1 onwards."';

/** 10.6.0 (main) / 10.6.1 (feature) or later. */
export function pastBrokerGatewayPointOfNoReturn(v: DmVersion): boolean {
  return v.major > 10 || (v.major === 10 && v.minor >= 6);
}

/** 10.5.0 [CU2] / 10.5.5 or later: BrokerGateway-managed NATS exists. */
export function supportsBrokerGateway(v: DmVersion): boolean {
  if (v.major !== 10) return v.major > 10;
  if (v.minor !== 5) return v.minor > 5;
  return releaseKind(v) === 'main' ? v.cu >= 2 : v.release >= 5;
}

/** The refusal's text when `from` → `to` crosses it, else undefined. */
export function brokerGatewayProblem(from: DmVersion, to: DmVersion): string | undefined {
  if (!pastBrokerGatewayPointOfNoReturn(from) || supportsBrokerGateway(to)) return undefined;
  return (
    `Downgrading from ${formatVersion(from)} to ${formatVersion(to)} (before 10.5.0 [CU2]/10.5.5, without BrokerGateway support): ` +
    `the vendor says migrating back from BrokerGateway-managed NATS to the old system is not possible — ${NO_WAY_BACK_STATEMENT} ` +
    'The downgraded DMS would be left without a working NATS setup. Contact Skyline support first; to go ahead anyway, give ' +
    'acknowledgeNoNatsRollback=true (recorded in the run\'s journal).'
  );
}
