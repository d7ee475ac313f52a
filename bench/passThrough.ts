/**
 * The hop alone: forwards each POST's bytes to the upstream at
 * UPSTREAM_URL over one keep-alive pool and answers with the upstream's
 * bytes, with no GraphQL at all. Timed with the direct documents, it is the
 * least any server between a client and W&B adds (socket writes and
 * process wake-ups). Prints "PassThrough: <url>".
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

const upstream = new URL(`${process.env.UPSTREAM_URL}/graphql`);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const headers = { 'content-type': 'application/json', 'content-length': body.length, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) };
    const up = request(upstream, { method: 'POST', agent, headers }, (answer) => {
      const parts: Buffer[] = [];
      answer.on('data', (c: Buffer) => parts.push(c));
      answer.on('end', () => {
        const out = Buffer.concat(parts);
        res.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json', 'content-length': out.length });
        res.end(out);
      });
    });
    up.on('error', () => res.writeHead(502).end());
    up.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`PassThrough: http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
