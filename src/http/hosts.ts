import { isIP } from 'node:net';

/**
 * Which Host headers the server answers. A web page whose DNS name is
 * rebound to this server's address is same-origin with it, so neither CORS
 * nor the CSRF check stops it, and its requests (with no Authorization)
 * would run with the service key. Rebinding needs a DNS name: a Host that
 * is an IP address (127.0.0.1, the pod's address a probe uses, [::1]) is
 * always answered. Names: bound to a loopback address, only `localhost`
 * unless ALLOWED_HOSTS names others; bound to other interfaces (a
 * container, behind a router or an ingress), any name unless ALLOWED_HOSTS
 * is set. Entries are names; a port given with one is ignored.
 */
export function createHostCheck(allowedHosts: readonly string[] | null | undefined, boundHost: string): (host: string | undefined) => boolean {
  const names = allowedHosts?.length ? allowedHosts : isLoopback(boundHost) ? ['localhost'] : ['*'];
  if (names.includes('*')) return () => true;
  const allowed = new Set(names.map(hostName));
  return (host) => {
    if (host === undefined) return true;
    const name = hostName(host);
    return allowed.has(name) || isIP(name.startsWith('[') ? name.slice(1, -1) : name) !== 0;
  };
}

/** The name part of a Host header, lower case: without its port ("[::1]" keeps its brackets). */
function hostName(host: string): string {
  const lower = host.trim().toLowerCase();
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1);
  const colon = lower.indexOf(':');
  return colon < 0 ? lower : lower.slice(0, colon);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
