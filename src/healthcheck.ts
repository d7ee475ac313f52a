/**
 * `node dist/src/healthcheck.js`: exits 0 when the subgraph on this machine
 * answers GET /ready with 200 within 3 s, else 1. For container health
 * checks (slim images have no curl); reads PORT and HOST like the server.
 */
const port = process.env.PORT || '4001';
const host = !process.env.HOST || process.env.HOST === '0.0.0.0' ? '127.0.0.1' : process.env.HOST === '::' ? '::1' : process.env.HOST;
const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/ready`;

try {
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  process.stdout.write(`${url}: ${res.status} ${await res.text()}\n`);
  process.exit(res.status === 200 ? 0 : 1);
} catch (error) {
  process.stdout.write(`${url}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
