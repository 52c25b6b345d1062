// Uploads a local file over SFTP (Windows OpenSSH's sftp-server names C:\ as /C:/). Written to a temporary name and
// renamed at the end, so a half-uploaded package is never taken for a complete one.
import * as fs from 'node:fs';
import type { SFTPWrapper } from 'ssh2';
import type { Connection } from './connect';
import { UploadFailedError } from './errors';

export interface UploadOptions {
  signal?: AbortSignal;
  /** Called with bytes transferred so far and the total. */
  progress?: (transferred: number, total: number) => void;
}

function openSftp(conn: Connection): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => conn.client.sftp((err, sftp) => (err === undefined || err === null ? resolve(sftp) : reject(err))));
}

function call(fn: (cb: (err?: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((err) => (err === undefined || err === null ? resolve() : reject(err))));
}

/** `remotePath` is an SFTP path such as `/C:/Skyline DataMiner/Upgrades/x.dmupgrade` (see sftpPath()). */
export async function uploadOn(conn: Connection, agent: string, localPath: string, remotePath: string, options: UploadOptions = {}): Promise<number> {
  const total = fs.statSync(localPath).size;
  let sftp: SFTPWrapper;
  try {
    sftp = await openSftp(conn);
  } catch (err) {
    throw new UploadFailedError(agent, localPath, remotePath, `the SFTP subsystem is not available (${(err as Error).message})`);
  }
  const partial = `${remotePath}.partial`;
  const onAbort = (): void => sftp.end();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await call((cb) =>
      sftp.fastPut(localPath, partial, { step: (transferred) => options.progress?.(transferred, total) }, (err) => cb(err)),
    );
    if (options.signal?.aborted === true) throw new Error('cancelled');
    await call((cb) => sftp.unlink(remotePath, () => cb()));
    await call((cb) => sftp.rename(partial, remotePath, cb));
    return total;
  } catch (err) {
    throw new UploadFailedError(agent, localPath, remotePath, options.signal?.aborted === true ? 'cancelled' : (err as Error).message);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    sftp.end();
  }
}
