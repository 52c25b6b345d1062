// Debian's Chromium driven by playwright-core (no browser download is possible here), with a fresh profile and no
// background networking: the machine's closed network would otherwise refuse dozens of connections.
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM } from './cache';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
