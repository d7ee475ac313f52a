/**
 * The ceiling for `run(path)`: the least an Apollo subgraph can do for it —
 * @apollo/server with a federated schema of one type, whose resolver makes
 * one keep-alive HTTP request to the upstream at UPSTREAM_URL (the static
 * answer) and returns the run in it. No limits, loaders, logging or
 * metrics. Prints "Ceiling: <url>".
 */
import { Agent, request } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

const upstream = new URL(`${process.env.UPSTREAM_URL}/graphql`);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const query = 'query Run($e: String!, $p: String!, $r: String!) { project(entityName: $e, name: $p) { run(name: $r) { name displayName state createdAt } } }';

function post(body: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(upstream, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { run(path: String!): Run }
  type Run @key(fields: "path") { path: String! displayName: String state: String createdAt: String }
`);
const resolvers = {
  Query: {
    run: async (_: unknown, { path }: { path: string }) => {
      const [e, p, r] = path.split('/');
      const answer = (await post(JSON.stringify({ query, variables: { e, p, r } }))) as { data: Record<string, Record<string, Record<string, unknown>>> };
      // The static answer is the subgraph's own lookup answer: the run is its first project's first run.
      const project = Object.values(answer.data)[0];
      const run = project.run ?? Object.values(project)[0];
      return { ...run, path, state: String(run.state).toUpperCase() };
    },
  },
};
const server = new ApolloServer({ schema: buildSubgraphSchema([{ typeDefs, resolvers }]) });
const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
process.stdout.write(`Ceiling: ${url}\n`);
