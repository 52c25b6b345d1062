// Finds the cached control-plane binaries, building them with build.sh when the cache is empty.
import { execFile, spawn } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';

export const KUBE_VERSION = '1.20.2';

/** The repository's lab/kube folder (this file is compiled to out/lab/kube). */
export function labSourceDir(): string {
  const candidates = [join(__dirname, '..', '..', '..', 'lab', 'kube'), __dirname];
  const found = candidates.find((d) => existsSync(join(d, 'build.sh')));
  if (!found) throw new Error(`lab/kube/build.sh not found near ${__dirname}`);
  return found;
}

/** The binary folder if a complete build is cached, else undefined. */
export function cachedBinDir(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('bash', [join(labSourceDir(), 'build.sh'), '--print'], (err, stdout) => resolve(err ? undefined : stdout.trim()));
  });
}

/** Builds once (minutes) or reuses the cache; build output goes to `log`. */
export function ensureBinaries(log: (line: string) => void = () => undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(labSourceDir(), 'build.sh')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let tail: string[] = [];
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n').filter(Boolean)) {
        log(line);
        tail = [...tail.slice(-30), line];
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(out.trim().split('\n').pop() ?? '');
      else reject(new Error(`lab/kube/build.sh failed (exit ${code}):\n${tail.join('\n')}`));
    });
  });
}
