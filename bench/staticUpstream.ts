/**
 * A W&B stand-in for throughput runs: answers every POST with the same
 * body (given in the STATIC_BODY_FILE), so neither the subgraph nor the
 * ceiling server waits on a database. Prints "Static: <url>".
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

const body = readFileSync(process.env.STATIC_BODY_FILE!);
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`Static: http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
