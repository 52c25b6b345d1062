// Finds compiled test files without a glob dependency (the extension host has only what the repo has).
import * as fs from 'fs';
import * as path from 'path';

export function findTests(dir: string, suffix = '.test.js'): string[] {
  if (!fs.existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(full, suffix));
    else if (entry.name.endsWith(suffix)) found.push(full);
  }
  return found.sort();
}
