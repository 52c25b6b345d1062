// Text helpers of the tree items: paths shortened to ~, and text put in Markdown tooltips as it is.

export function shortPath(p: string): string {
  const home = process.env.HOME ?? process.env.USERPROFILE;
  return home && p.startsWith(home) ? `~${p.slice(home.length)}` : p;
}

export function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (m) => `\\${m}`);
}
