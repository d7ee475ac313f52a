/**
 * The ceiling: the least an Apollo subgraph can do — @apollo/server with a
 * federated schema of one type, whose root resolvers each make one
 * keep-alive HTTP request to the upstream at UPSTREAM_URL with the direct
 * document for their selection, and map its answer; _entities batches go
 * through one DataLoader. No limits, checks, logging or metrics. It serves
 * `run(path)` (against the static answer, for throughput), and scenario
 * 1's four queries (against the emulator: the floor any subgraph adds to
 * the direct document). Prints "Ceiling: <url>".
 */
import { Agent, request } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import DataLoader from 'dataloader';
import { GraphQLScalarType, parse, type FieldNode, type GraphQLResolveInfo } from 'graphql';

const upstream = new URL(`${process.env.UPSTREAM_URL}/graphql`);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const query = 'query Run($e: String!, $p: String!, $r: String!) { project(entityName: $e, name: $p) { run(name: $r) { name displayName state createdAt } } }';

/** Posts a document upstream with the caller's Authorization. */
function post(body: string, authorization?: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(authorization ? { authorization } : {}) };
    const req = request(upstream, { method: 'POST', agent, headers }, (res) => {
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
  scalar JSON
  type Query { run(path: String!): Run runs(entity: String!, project: String!, first: Int!): RunPage! }
  type RunPage { nodes: [Run!]! }
  type Run @key(fields: "path") {
    path: String! runId: String displayName: String state: String createdAt: String config: JSON summary: JSON history(first: Int!): History!
    sampledHistory(keys: [String!]): JSON files(first: Int): FileConnection! loggedArtifacts: ArtifactConnection!
  }
  type FileConnection { edges: [FileEdge!]! }
  type FileEdge { node: File! }
  type File { name: String! }
  type ArtifactConnection { totalCount: Int! }
  type History { edges: [HistoryEdge!]! pageInfo: PageInfo! }
  type HistoryEdge { node: HistoryRow! }
  type HistoryRow { step: Int! values: JSON! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
`);
type Answer = { data: { project: Record<string, any> } };
type Ctx = { authorization?: string; runs: DataLoader<string, Record<string, unknown> | null> };

/** The runs of an _entities batch, in one request: aliased run(name) lookups grouped by project. */
function runsLoader(authorization: string | undefined): Ctx['runs'] {
  return new DataLoader(async (paths: readonly string[]) => {
    const byProject = new Map<string, string[]>();
    for (const path of paths) {
      const [e, p, r] = path.split('/');
      byProject.set(`${e}/${p}`, [...(byProject.get(`${e}/${p}`) ?? []), r]);
    }
    const projects = [...byProject.entries()];
    const q = `query { ${projects.map(([ep, runs], i) => `p${i}: project(entityName: ${JSON.stringify(ep.split('/')[0])}, name: ${JSON.stringify(ep.split('/')[1])}) { ${runs.map((r, j) => `r${j}: run(name: ${JSON.stringify(r)}) { name displayName state }`).join(' ')} }`).join(' ')} }`;
    const answer = (await post(JSON.stringify({ query: q }), authorization)) as { data: Record<string, Record<string, Record<string, unknown> | null>> };
    const found = new Map<string, Record<string, unknown> | null>();
    projects.forEach(([ep, runs], i) => runs.forEach((r, j) => found.set(`${ep}/${r}`, answer.data[`p${i}`]?.[`r${j}`] ?? null)));
    return paths.map((path) => {
      const run = found.get(path);
      return run ? { ...run, path, state: String(run.state).toUpperCase() } : null;
    });
  });
}
const resolvers = {
  JSON: new GraphQLScalarType({ name: 'JSON', serialize: (v) => v }),
  Query: {
    runs: async (_: unknown, { entity, project, first }: { entity: string; project: string; first: number }, ctx: Ctx, info: GraphQLResolveInfo) => {
      const nodesField = info.fieldNodes[0].selectionSet?.selections.find((s): s is FieldNode => s.kind === 'Field' && s.name.value === 'nodes');
      const sampled = nodesField?.selectionSet?.selections.find((s): s is FieldNode => s.kind === 'Field' && s.name.value === 'sampledHistory');
      if (sampled) {
        // The nested page: summary, sampled history, first files and artifact count in one document.
        const keys = ((sampled.arguments?.[0]?.value as { values?: { value: string }[] } | undefined)?.values ?? []).map((v) => v.value);
        const spec = JSON.stringify({ keys: ['_step', ...keys], samples: 500 });
        const q = `query N($e: String!, $p: String!, $n: Int, $spec: JSONString!) { project(entityName: $e, name: $p) { runs(first: $n, order: "+created_at") { edges { node { name summaryMetrics sampledHistory(specs: [$spec]) files(first: 3) { edges { node { name } } } outputArtifacts { totalCount } } } } } }`;
        const answer = (await post(JSON.stringify({ query: q, variables: { e: entity, p: project, n: first, spec } }), ctx.authorization)) as Answer;
        return {
          nodes: answer.data.project.runs.edges.map(({ node }: { node: Record<string, any> }) => ({
            runId: node.name,
            summary: JSON.parse(node.summaryMetrics),
            sampledHistory: node.sampledHistory[0],
            files: node.files,
            loggedArtifacts: node.outputArtifacts,
          })),
        };
      }
      const q = `query R($e: String!, $p: String!, $n: Int) { project(entityName: $e, name: $p) { runs(first: $n, order: "+created_at") { edges { node { name state config summaryMetrics } } } } }`;
      const answer = (await post(JSON.stringify({ query: q, variables: { e: entity, p: project, n: first } }), ctx.authorization)) as Answer;
      const nodes = answer.data.project.runs.edges.map(({ node }: { node: Record<string, string> }) => {
        const config = JSON.parse(node.config) as Record<string, { value?: unknown }>;
        delete config._wandb;
        for (const k in config) config[k] = config[k]?.value as never;
        return { runId: node.name, state: node.state.toUpperCase(), config, summary: JSON.parse(node.summaryMetrics) };
      });
      return { nodes };
    },
    run: async (_: unknown, { path }: { path: string }, ctx: Ctx, info: GraphQLResolveInfo) => {
      const [e, p, r] = path.split('/');
      const history = info.fieldNodes[0].selectionSet?.selections.find((s): s is FieldNode => s.kind === 'Field' && s.name.value === 'history');
      if (history) {
        // One request for the run and its first rows, as the subgraph sends.
        const first = Number((history.arguments?.[0]?.value as { value?: string } | undefined)?.value ?? 1000);
        const q = `query H($e: String!, $p: String!, $r: String!) { project(entityName: $e, name: $p) { run(name: $r) { name history(minStep: 0, maxStep: ${first + 1}, samples: ${first + 1}) } } }`;
        const answer = (await post(JSON.stringify({ query: q, variables: { e, p, r } }), ctx.authorization)) as Answer;
        const rows = (answer.data.project.run.history as string[]).map((t) => JSON.parse(t) as { _step: number });
        const edges = rows.slice(0, first).map((values) => ({ node: { step: values._step, values } }));
        const last = edges[edges.length - 1]?.node.step;
        return { path, history: { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: last === undefined ? null : Buffer.from(`v1:history:${last}`).toString('base64') } } };
      }
      const answer = (await post(JSON.stringify({ query, variables: { e, p, r } }), ctx.authorization)) as { data: Record<string, Record<string, Record<string, unknown>>> };
      // The static answer is the subgraph's own lookup answer: the run is its first project's first run.
      const project = Object.values(answer.data)[0];
      const run = project.run ?? Object.values(project)[0];
      return { ...run, path, state: String(run.state).toUpperCase() };
    },
  },
  Run: {
    __resolveReference: ({ path }: { path: string }, ctx: Ctx) => ctx.runs.load(path),
  },
};
const server = new ApolloServer<Ctx>({ schema: buildSubgraphSchema([{ typeDefs, resolvers }]) });
const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' }, context: async ({ req }): Promise<Ctx> => ({ authorization: req.headers.authorization, runs: runsLoader(req.headers.authorization) }) });
process.stdout.write(`Ceiling: ${url}\n`);
