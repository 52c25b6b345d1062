// The texts a secret can appear as in output: as written, JSON-escaped (journal lines, plan.json), base64 of its UTF-8
// and of its UTF-16LE bytes (PowerShell -EncodedCommand, certutil, `base64`), and URL-encoded (query strings, form
// bodies). Line breaks are not part of any form: matching ignores them, so a form wrapped over lines still matches.

/** Shorter forms than this are not matched: a 3-character base64 fragment occurs by chance in any base64 output. */
const MIN_FORM = 4;

/**
 * The base64 characters that depend only on `bytes`, for each of the three alignments the bytes can have inside a
 * longer base64 text. Characters at either end that mix in neighbouring bytes differ from one text to the next.
 */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (let k = 0; k < 3; k++) {
    const text = Buffer.concat([Buffer.alloc(k), bytes, Buffer.alloc(2)]).toString('base64');
    // Character j carries bits [6j, 6j+6); the bytes occupy bits [8k, 8(k+n)).
    const first = Math.ceil((8 * k) / 6);
    const end = Math.floor((8 * (k + bytes.length)) / 6);
    const core = text.slice(first, end);
    cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return cores;
}

function urlForms(secret: string): string[] {
  let encoded: string;
  try {
    encoded = encodeURIComponent(secret);
  } catch {
    return []; // a lone surrogate cannot be URL-encoded, so it cannot appear URL-encoded either
  }
  // Form bodies write a space as "+"; some encoders write the hex digits in lower case.
  const lower = encoded.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
  return [encoded, encoded.replace(/%20/g, '+'), lower, lower.replace(/%20/g, '+')];
}

/** Every form of `secret` worth matching, without line breaks, longest first, each once. */
export function secretForms(secret: string): string[] {
  const forms = [
    secret,
    JSON.stringify(secret).slice(1, -1),
    ...base64Cores(Buffer.from(secret, 'utf8')),
    ...base64Cores(Buffer.from(secret, 'utf16le')),
    ...urlForms(secret),
  ].map((f) => f.replace(/[\r\n]/g, ''));
  return [...new Set(forms.filter((f) => f.length >= MIN_FORM))].sort((a, b) => b.length - a.length);
}
