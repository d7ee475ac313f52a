import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/src/server.js';
import { startSubgraph, type Subgraph, type SubgraphOptions } from '../../src/http/server.js';
import { DEMO_API_KEY } from '../../emulator/src/seed.js';
import { silentLogger } from '../../src/observability/logger.js';

export interface Stack {
  emulator: Emulator;
  subgraph: Subgraph;
  close(): Promise<void>;
}

/**
 * The emulator (in memory, seeded small unless told otherwise) and the
 * subgraph in front of it, both on ephemeral loopback ports, talking HTTP.
 * No service key: callers send their own Authorization, as in production.
 */
export async function startStack(options: { emulator?: EmulatorOptions; serviceKey?: string | null; subgraph?: Partial<SubgraphOptions> } = {}): Promise<Stack> {
  const emulator = await startEmulator({ seed: { historyScale: 0.01 }, ...options.emulator });
  const subgraph = await startSubgraph({
    wandbBaseUrl: emulator.url,
    appUrl: 'https://wandb.example.com',
    serviceKey: options.serviceKey ?? null,
    // Silent unless the test passes its own logger (or the older log callback).
    ...(options.subgraph?.logger || options.subgraph?.log ? {} : { logger: silentLogger() }),
    ...options.subgraph,
  });
  return {
    emulator,
    subgraph,
    close: async () => {
      await subgraph.close();
      await emulator.close();
    },
  };
}

export interface Response<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [k: string]: unknown } }[];
}

/** POSTs a GraphQL request to the subgraph as the given W&B key (Basic api:<key>), or with no key when null. */
export function subgraphClient(stack: Stack, apiKey: string | null = DEMO_API_KEY) {
  return async function query<T = any>(document: string, variables: Record<string, unknown> = {}): Promise<Response<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (apiKey) headers.authorization = `Basic ${Buffer.from(`api:${apiKey}`).toString('base64')}`;
    const res = await fetch(stack.subgraph.url, { method: 'POST', headers, body: JSON.stringify({ query: document, variables }) });
    return { status: res.status, ...((await res.json()) as object) };
  };
}

/** Counts the upstream GraphQL requests `work` causes at the emulator. */
export async function upstreamRequests(stack: Stack, work: () => Promise<unknown>): Promise<{ count: number; queries: string[] }> {
  stack.emulator.resetRequests();
  await work();
  return { count: stack.emulator.requestCount(), queries: stack.emulator.requests.map((r) => r.query) };
}
