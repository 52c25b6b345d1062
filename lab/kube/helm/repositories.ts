// Helm's repository list (helm.sh/docs/helm/helm_repo_add; the file is $HELM_REPOSITORY_CONFIG, by default
// $XDG_CONFIG_HOME/helm/repositories.yaml — helm.sh/docs/helm/helm, "XDG" paths). The stand-in never downloads an
// index: a chart is found only through a repository added here, as `helm upgrade repo/chart` needs.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { UsageError } from './flags';

interface Entry {
  name: string;
  url: string;
}

export function repositoryConfig(flag: string | undefined): string {
  if (flag) return flag;
  if (process.env.HELM_REPOSITORY_CONFIG) return process.env.HELM_REPOSITORY_CONFIG;
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'helm', 'repositories.yaml');
}

function read(file: string): Entry[] {
  if (!fs.existsSync(file)) return [];
  const doc = parseYaml(fs.readFileSync(file, 'utf8')) as { repositories?: Entry[] } | null;
  return doc?.repositories ?? [];
}

export function addRepository(file: string, name: string, url: string, forceUpdate: boolean): string {
  const entries = read(file);
  const seen = entries.find((e) => e.name === name);
  if (seen && seen.url === url) return `"${name}" already exists with the same configuration, skipping`;
  if (seen && !forceUpdate) throw new UsageError(`repository name (${name}) already exists, please specify a different name`);
  const next = [...entries.filter((e) => e.name !== name), { name, url }];
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, stringifyYaml({ apiVersion: '', generated: new Date(0).toISOString(), repositories: next }), { mode: 0o644 });
  return `"${name}" has been added to your repositories`;
}

export function findRepository(file: string, name: string): Entry {
  const e = read(file).find((x) => x.name === name);
  if (!e) throw new UsageError(`repo ${name} not found`);
  return e;
}
