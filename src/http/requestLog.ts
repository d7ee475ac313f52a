import { randomUUID } from 'node:crypto';
import { scrub } from '../security/credentials.js';

/** The caller's x-request-id when it is a sane token (at most 128 of [A-Za-z0-9._-]), else a new UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  // Echoed in the response and logged: one that looks like a key is replaced, never echoed.
  return typeof header === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(header) && scrub(header) === header ? header : randomUUID();
}

/** The path of a request URL, without its query string (which may carry user data); "-" when it cannot be read. */
export function pathOf(url: string | undefined): string {
  return urlOf(url)?.pathname.slice(0, 200) ?? '-';
}

/**
 * A request URL's pathname and search, or null when the URL cannot be read
 * (such as "//"). A plain path (no query, dot segment, empty segment or
 * escape: a POST to /graphql) is its own pathname, with no URL parse.
 */
export function urlOf(url: string | undefined): { pathname: string; search: string } | null {
  return url !== undefined && plainPath.test(url) ? { pathname: url, search: '' } : URL.parse(url ?? '/', 'http://subgraph');
}

const plainPath = /^(?:(?:\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+\/?|\/)$/;
