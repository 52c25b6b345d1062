// Loads kubeconfig the way kubectl does, on client-node, without ever writing it or changing current-context.
//
// kubectl's rules (which client-node's own loadFromDefault does not follow): the files of a multi-file KUBECONFIG are
// merged with the FIRST file that defines a cluster, user or context name winning; current-context comes from the
// first file that sets one; files that do not exist are skipped; relative paths inside a file are resolved against
// that file's folder.
import * as fs from 'fs';
import * as path from 'path';
import { KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import type { Cluster, Context, User } from '@kubernetes/client-node';
import type { KubeconfigSource } from './kubeconfig-files';

export { kubeconfigFiles, type KubeconfigFilesOptions, type KubeconfigOrigin, type KubeconfigSource } from './kubeconfig-files';

export interface KubeContextInfo {
  name: string;
  cluster: string;
  /** The API server URL, or undefined when the context names a cluster that no file defines. */
  server: string | undefined;
  user: string;
  namespace: string | undefined;
  current: boolean;
  /** The file the context was read from. */
  file: string;
}

export interface LoadedKubeconfig {
  source: KubeconfigSource;
  /** A client-node KubeConfig holding the merged content; its current-context is the merged one, never changed. */
  kubeConfig: KubeConfig;
  contexts: KubeContextInfo[];
  currentContext: string | undefined;
  /** Files that were named but do not exist (kubectl skips them silently; Backout shows them). */
  missingFiles: string[];
}

/** A kubeconfig that cannot be used. The message names the file and what to do. */
export type KubeconfigProblem = 'missing' | 'unreadable' | 'malformed' | 'unknown-context';

export class KubeconfigError extends Error {
  constructor(
    message: string,
    readonly file: string | undefined,
    readonly problem: KubeconfigProblem,
  ) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

function describeOrigin(source: KubeconfigSource): string {
  switch (source.origin) {
    case 'setting':
      return 'the backout.kubeconfig setting';
    case 'KUBECONFIG':
      return 'the KUBECONFIG environment variable';
    case 'default':
      return 'the default location';
  }
}

interface ParsedFile {
  file: string;
  config: KubeConfig;
}

function parseFile(file: string): ParsedFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new KubeconfigError(`kubeconfig ${file} cannot be read: ${(err as Error).message}. Check the file's permissions.`, file, 'unreadable');
  }
  const config = new KubeConfig();
  if (text.trim().length === 0) {
    // kubectl accepts an empty file as an empty config.
    config.loadFromOptions({ clusters: [], users: [], contexts: [], currentContext: '' });
    return { file, config };
  }
  const shapeProblem = kubeconfigShapeProblem(text);
  const fix =
    'Fix the file (it must be a YAML kubeconfig with clusters, users and contexts), or point the backout.kubeconfig setting at another one.';
  if (shapeProblem) throw new KubeconfigError(`kubeconfig ${file} is malformed: ${shapeProblem}. ${fix}`, file, 'malformed');
  try {
    config.loadFromFile(file);
  } catch (err) {
    const reason = ((err as Error).message || String(err)).split('\n')[0];
    throw new KubeconfigError(`kubeconfig ${file} is malformed: ${reason}. ${fix}`, file, 'malformed');
  }
  resolveExecCommands(config, path.dirname(file));
  return { file, config };
}

/**
 * kubectl resolves an exec plugin command that is a relative path (it contains a path separator, like
 * `./bin/get-token`) against the folder of the kubeconfig file that names it; a bare name is looked up on PATH.
 * client-node resolves only certificate and key files, so this does the rest.
 */
function resolveExecCommands(config: KubeConfig, folder: string): void {
  for (const user of config.users ?? []) {
    const exec = user.exec as { command?: unknown } | undefined;
    const command = exec?.command;
    if (typeof command !== 'string' || path.isAbsolute(command)) continue;
    if (exec && (command.includes('/') || command.includes(path.sep))) exec.command = path.resolve(folder, command);
  }
}

/** What is wrong with the document's overall shape, if anything; client-node checks the entries themselves. */
function kubeconfigShapeProblem(text: string): string | undefined {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    return `invalid YAML: ${((err as Error).message || String(err)).split('\n')[0].replace(/:$/, '')}`;
  }
  if (doc === null || doc === undefined) return undefined;
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    return `expected a mapping with clusters, users and contexts, found ${Array.isArray(doc) ? 'a list' : `a ${typeof doc}`}`;
  }
  const record = doc as Record<string, unknown>;
  for (const key of ['clusters', 'users', 'contexts']) {
    const value = record[key];
    if (value !== undefined && value !== null && !Array.isArray(value)) return `"${key}" must be a list`;
  }
  const kind = record.kind;
  if (kind !== undefined && kind !== 'Config') return `kind is "${String(kind)}", expected "Config"`;
  return undefined;
}

/** Reads and merges the kubeconfig files as kubectl would. Throws KubeconfigError with the file and the fix. */
export function loadKubeconfig(source: KubeconfigSource): LoadedKubeconfig {
  const missingFiles: string[] = [];
  const parsed: ParsedFile[] = [];
  for (const file of source.files) {
    if (!fs.existsSync(file)) {
      missingFiles.push(file);
      continue;
    }
    parsed.push(parseFile(file));
  }
  if (parsed.length === 0) {
    const names = source.files.join(', ');
    throw new KubeconfigError(
      `No kubeconfig found: ${names} (from ${describeOrigin(source)}) does not exist. ` +
        'Create one with your cluster tooling, set KUBECONFIG, or choose a file with "Backout: Choose Kubeconfig".',
      source.files[0],
      'missing',
    );
  }

  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, { context: Context; file: string }>();
  let currentContext: string | undefined;
  for (const { file, config } of parsed) {
    for (const c of config.clusters ?? []) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of config.users ?? []) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of config.contexts ?? []) if (!contexts.has(c.name)) contexts.set(c.name, { context: c, file });
    if (currentContext === undefined && config.currentContext) currentContext = config.currentContext;
  }

  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [...clusters.values()],
    users: [...users.values()],
    contexts: [...contexts.values()].map((c) => c.context),
    currentContext: currentContext ?? '',
  });

  const infos: KubeContextInfo[] = [...contexts.values()].map(({ context, file }) => ({
    name: context.name,
    cluster: context.cluster,
    server: clusters.get(context.cluster)?.server,
    user: context.user,
    namespace: context.namespace,
    current: context.name === currentContext,
    file,
  }));
  return { source, kubeConfig, contexts: infos, currentContext, missingFiles };
}

/** Returns the named context or throws an error that lists the contexts there are. */
export function requireContext(loaded: LoadedKubeconfig, name: string): KubeContextInfo {
  const found = loaded.contexts.find((c) => c.name === name);
  if (found) return found;
  const known = loaded.contexts.map((c) => c.name).join(', ') || 'none';
  throw new KubeconfigError(
    `Unknown Kubernetes context "${name}" in ${loaded.source.files.join(', ')}. Known contexts: ${known}. ` +
      'Pick one of these, or add the context to your kubeconfig.',
    loaded.source.files[0],
    'unknown-context',
  );
}
