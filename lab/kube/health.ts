// Polls an endpoint until it answers 200, with a deadline; the lab's readiness checks.
import * as http from 'http';
import * as https from 'https';
import { readFileSync } from 'fs';

export interface TlsClient {
  ca: string;
  cert: string;
  key: string;
}

function get(url: string, tls?: TlsClient): Promise<number> {
  return new Promise((resolve) => {
    const options: https.RequestOptions = { timeout: 2000 };
    if (tls) {
      options.ca = readFileSync(tls.ca);
      options.cert = readFileSync(tls.cert);
      options.key = readFileSync(tls.key);
    }
    const req = (url.startsWith('https:') ? https : http).get(url, options, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

export async function waitHealthy(
  url: string,
  what: string,
  timeoutMs: number,
  isAlive: () => boolean,
  logTail: () => string,
  tls?: TlsClient,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    if (!isAlive()) throw new Error(`${what} exited during start-up:\n${logTail()}`);
    if ((await get(url, tls)) === 200) return;
    await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 500)));
  }
  throw new Error(`${what} not healthy at ${url} after ${timeoutMs} ms:\n${logTail()}`);
}
