import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { parse } from 'graphql';

export interface SubgraphSource {
  name: string;
  /** Routing URL of the subgraph's GraphQL endpoint. */
  url: string;
  /** The subgraph's SDL (with its @link). */
  sdl: string;
}

/**
 * Composes subgraphs into a supergraph SDL, as rover and GraphOS do. Throws
 * with every composition error; returns the hints too, which a clean
 * composition has none of.
 */
export function composeSupergraph(subgraphs: readonly SubgraphSource[]): { supergraphSdl: string; hints: string[] } {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors) throw new Error(`composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  return { supergraphSdl: result.supergraphSdl, hints: result.hints.map((h) => `${h.definition.code}: ${h.message}`) };
}

/** Fetches a running subgraph's SDL through `_service { sdl }`. */
export async function fetchSubgraphSdl(url: string): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ _service { sdl } }' }) });
  const body = (await res.json()) as { data?: { _service: { sdl: string } } };
  if (!body.data) throw new Error(`${url} did not return its SDL (HTTP ${res.status})`);
  return body.data._service.sdl;
}

/**
 * Serves a supergraph with @apollo/gateway, forwarding each caller's
 * Authorization header to the subgraphs (so the W&B subgraph uses the
 * caller's key).
 */
export async function startApolloGateway(supergraphSdl: string, listen: { port: number; host: string }): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = new ApolloServer({
    // Whoever starts the gateway stops it, in order with the rest.
    stopOnTerminationSignals: false,
    gateway: new ApolloGateway({
      supergraphSdl,
      buildService: ({ url }) =>
        new RemoteGraphQLDataSource<{ authorization?: string }>({
          url,
          willSendRequest({ request, context }) {
            if (context.authorization) request.http?.headers.set('authorization', context.authorization);
          },
        }),
    }),
  });
  const { url } = await startStandaloneServer(server, { listen, context: async ({ req }) => ({ authorization: req.headers.authorization }) });
  return { url, stop: () => server.stop() };
}
