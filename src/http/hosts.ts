/**
 * Which Host headers the server answers. A web page whose DNS name is
 * rebound to this server's address is same-origin with it, so neither CORS
 * nor the CSRF check stops it, and its requests (with no Authorization)
 * would run with the service key. Bound to a loopback address, the server
 * answers loopback names only (localhost, 127.0.0.1, [::1]) unless
 * ALLOWED_HOSTS names others; bound to other interfaces (a container, behind
 * a router or an ingress), it answers any Host unless ALLOWED_HOSTS is set.
 */
export function createHostCheck(allowedHosts: readonly string[] | null | undefined, boundHost: string): (host: string | undefined) => boolean {
  const names = allowedHosts?.length ? allowedHosts : isLoopback(boundHost) ? ['localhost', '127.0.0.1', '[::1]'] : ['*'];
  if (names.includes('*')) return () => true;
  const allowed = new Set(names.map((n) => n.toLowerCase()));
  return (host) => host === undefined || allowed.has(hostName(host));
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
