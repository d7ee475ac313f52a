import type { IncomingMessage } from 'node:http';

/**
 * Credentials: what an Authorization value is (absent, well formed,
 * malformed), and every form a key may take in text, so that text can be
 * scrubbed of it before it reaches a response, a log line or a metric.
 */
import { createHash } from 'node:crypto';
import { kept } from '../memo.js';

/** What a caller sent as its credential. */
export type Credential =
  | { kind: 'none' }
  | { kind: 'valid'; authorization: string; secret: string }
  | { kind: 'malformed'; reason: string };

/**
 * Reads an Authorization value: `Basic <base64 of user:key>` or
 * `Bearer <token>`, one space-separated token after the scheme. Anything
 * else that was sent (a raw key, another scheme, extra words, a scheme
 * without a token, an empty value, a value that is not a string) is
 * malformed. Only `undefined`/`null` means no credential at all.
 */
export function readCredential(value: unknown): Credential {
  if (value === undefined || value === null) return { kind: 'none' };
  if (Array.isArray(value)) return { kind: 'malformed', reason: 'more than one credential' };
  if (typeof value !== 'string') return { kind: 'malformed', reason: 'the credential is not a string' };
  const text = value.trim();
  if (text.length > 4096) return { kind: 'malformed', reason: 'the credential is too long' };
  // RFC 9110: the scheme, one or more spaces, one token of visible ASCII (no control or non-ASCII character); nothing else.
  const match = /^(Basic|Bearer) +([\x21-\x7e]+)$/i.exec(text);
  if (!match) return { kind: 'malformed', reason: 'expected the "Basic" scheme with the base64 of "api", a colon and the key, or the "Bearer" scheme with a token' };
  const scheme = match[1].toLowerCase() === 'basic' ? 'Basic' : 'Bearer';
  const token = match[2];
  if (scheme === 'Bearer') return { kind: 'valid', authorization: `Bearer ${token}`, secret: token };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token) || token.length % 4 !== 0) return { kind: 'malformed', reason: 'with the "Basic" scheme, the credentials must be base64' };
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const secret = colon >= 0 ? decoded.slice(colon + 1) : '';
  if (colon < 0 || secret.length === 0 || /[\s\u0000-\u001f]/.test(secret)) return { kind: 'malformed', reason: 'with the "Basic" scheme, the credentials must encode "api", a colon and a key' };
  return { kind: 'valid', authorization: `Basic ${token}`, secret };
}

/**
 * The credential of an HTTP request (or a WebSocket upgrade): its
 * Authorization header, all of them when sent several times (Node's
 * `headers` keeps the first), which readCredential finds malformed.
 */
export function requestCredential(req: IncomingMessage): string | string[] | undefined {
  const first = req.headers.authorization;
  if (first === undefined) return undefined;
  // The raw headers are counted rather than `headersDistinct` built (an object of lists of every header, per request).
  const raw = req.rawHeaders;
  let sent = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i].length === 13 && raw[i].toLowerCase() === 'authorization') sent++;
  return sent > 1 ? req.headersDistinct.authorization : first;
}

/** The Authorization value W&B takes for an API key. */
export function basicForKey(key: string): string {
  return `Basic ${Buffer.from(`api:${key}`).toString('base64')}`;
}

/**
 * The texts that reveal a secret: the key raw, `api:`-prefixed, in
 * base64 (as a Basic token carries it, padded or not) and in hex, for each
 * key given; empty keys are skipped. Short keys (under 8 characters) are kept too: a key is a key.
 */
export function secretForms(...keys: (string | null | undefined)[]): string[] {
  const forms = new Set<string>();
  for (const key of keys) {
    if (!key) continue;
    forms.add(key);
    forms.add(`api:${key}`);
    forms.add(Buffer.from(`api:${key}`).toString('base64'));
    forms.add(Buffer.from(key).toString('base64'));
    // base64 without padding, as some clients send it, and hex
    forms.add(Buffer.from(`api:${key}`).toString('base64').replace(/=+$/, ''));
    forms.add(Buffer.from(key).toString('base64').replace(/=+$/, ''));
    forms.add(Buffer.from(key).toString('hex'));
  }
  return [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
}

/**
 * The secret forms of an Authorization value (its token, and the key inside
 * a Basic token). Each request asks twice (its client, its response) and a
 * caller sends the same value request after request: the forms are kept,
 * for at most {@link maxCachedAuthorizations} values, keyed by the value
 * itself (the forms hold it anyway, as every request of that caller does;
 * none of it leaves the process). Callers must not modify the array.
 */
export function secretFormsOfAuthorization(authorization: string | null | undefined): readonly string[] {
  if (!authorization) return none;
  return kept(formsByAuthorization, authorization, maxCachedAuthorizations, () => {
    const credential = readCredential(authorization);
    const forms =
      credential.kind === 'valid'
        ? [...new Set([authorization.slice(authorization.indexOf(' ') + 1), ...secretForms(credential.secret)])].sort((a, b) => b.length - a.length)
        : none;
    return Object.freeze(forms);
  });
}

/** Authorization values whose secret forms are kept (see {@link secretFormsOfAuthorization}). */
export const maxCachedAuthorizations = 256;

/**
 * Free text with every credential replaced by "[Redacted]": the given
 * secrets in any of their forms, Authorization values (Basic/Bearer and
 * their token), `api:<key>` pairs, base64 of `api:…`, and runs of 40 or
 * more letters and digits, with both, that may be W&B keys.
 */
export function scrub(text: string, secrets: readonly string[] = []): string {
  const out = scrubbed(text, secrets);
  // A key written percent-encoded (in a path, an operation name) is a key too: each word holding escapes that
  // decodes to one is redacted whole (words stop at quotes and backslashes, so a JSON line stays JSON).
  if (!out.includes('%')) return out;
  return out.replace(word, (w) => {
    if (!w.includes('%')) return w;
    const decoded = percentDecoded(w);
    return decoded === w || scrubbed(decoded, secrets) === decoded ? w : '[Redacted]';
  });
}

/** A word: matched whole, once each (linear, whatever the text). */
const word = /[^\s"'\\,;]+/g;

/** `text` percent-decoded, or as it is when it is not valid percent-encoding. */
function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** {@link scrub} of text as it is. */
function scrubbed(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets, ...processSecrets]) if (s && out.includes(s)) out = out.split(s).join('[Redacted]');
  return out
    .replace(/\b(Basic|Bearer|Token)(\s+|:\s*)(?!\[Redacted\])[A-Za-z0-9+/=._~-]+/gi, '$1$2[Redacted]')
    .replace(/\bapi:(?!\[Redacted\])[^\s"'\\,;)]+/gi, 'api:[Redacted]')
    .replace(/\bYXBpO[A-Za-z0-9+/]*={0,2}/g, '[Redacted]')
    .replace(/\b(?:[a-z0-9]+-)?[0-9a-f]{40}\b/gi, '[Redacted]')
    // W&B keys are an optional prefix and a dash, then 40 or more characters (40 hex before 2026, 86 since): any run
    // of 40 or more letters and digits with both is taken for one (not words joined by underscores, as run names are).
    // Matched whole, then tested: linear.
    .replace(/(?<![A-Za-z0-9])[A-Za-z0-9]{40,}(?![A-Za-z0-9])/g, (word) => (/[0-9]/.test(word) && /[a-z]/i.test(word) ? '[Redacted]' : word))
    .replace(/\b(api[_ -]?key|access[_-]?token|token|secret|password)(\s*[=:]\s*)(?!\[Redacted\])[A-Za-z0-9+/=._~-]{8,}/gi, '$1$2[Redacted]');
}

/**
 * A response body with every exact form of the process's secrets and of
 * `extra` (the caller's key) replaced by "[Redacted]": data W&B holds can
 * quote a key too (a config that logged it). Only exact forms are
 * replaced, so data that merely looks like a key is left alone.
 */
export function redactSecrets(text: string, extra: readonly string[] = none): string {
  let out = text;
  for (const s of searchedForms(extra)) if (out.includes(s)) out = out.split(s).join('[Redacted]');
  return out;
}

/**
 * The minimal forms of the process's secrets and `extra`: kept per `extra`
 * array (the cached arrays of {@link secretFormsOfAuthorization} repeat
 * request after request) until the process's secrets change.
 */
function searchedForms(extra: readonly string[]): string[] {
  const kept = minimalByExtra.get(extra);
  if (kept && kept.version === processSecretsVersion) return kept.forms;
  const forms = minimalForms(extra.length === 0 ? processSecrets : [...processSecrets, ...extra]);
  minimalByExtra.set(extra, { version: processSecretsVersion, forms });
  return forms;
}

const minimalByExtra = new WeakMap<readonly string[], { version: number; forms: string[] }>();

/**
 * The forms worth searching for: a form containing a shorter one (`api:<key>`
 * contains the key; padded base64 contains unpadded) is found through it.
 * Forms under 8 characters are left out (they would match ordinary data).
 */
function minimalForms(forms: readonly string[]): string[] {
  const sorted = [...new Set(forms)].filter((f) => f.length >= 8).sort((a, b) => a.length - b.length);
  return sorted.filter((f, i) => !sorted.slice(0, i).some((shorter) => f.includes(shorter)));
}

/** Secrets of the process (the service key's forms), scrubbed from every text by {@link scrub}. */
const processSecrets: string[] = [];

/** Adds a process-wide secret (the service key): every later {@link scrub} removes its forms. */
export function rememberProcessSecret(key: string | null | undefined): void {
  for (const form of secretForms(key)) if (!processSecrets.includes(form)) processSecrets.push(form);
  processSecrets.sort((a, b) => b.length - a.length);
  processSecretsVersion++;
}

/** No forms (one array, so that {@link searchedForms} keeps its forms too). */
const none: readonly string[] = Object.freeze([]);

/** Counts changes to {@link processSecrets}, so that forms derived from them are derived again. */
let processSecretsVersion = 0;

/** Secret forms by Authorization value, oldest first (see {@link secretFormsOfAuthorization}). */
const formsByAuthorization = new Map<string, readonly string[]>();

/** A caller's name in process and fleet state: a hash of the Authorization sent upstream ('-' for none). */
export function principalOf(authorization: string | null): string {
  return authorization === null ? '-' : kept(principalByAuthorization, authorization, maxCachedAuthorizations, () => createHash('sha256').update(authorization).digest('hex').slice(0, 32));
}

/** Principals by Authorization value, oldest first (hashed once per value, not per request). */
const principalByAuthorization = new Map<string, string>();
