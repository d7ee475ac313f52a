import { randomUUID } from 'node:crypto';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/src/server.js';
import { startSubgraph, type Subgraph, type SubgraphOptions } from '../../src/http/server.js';
import { silentLogger } from '../../src/observability/logger.js';

export interface TestFleet {
  emulator: Emulator;
  replicas: Subgraph[];
  close(): Promise<void>;
}

/**
 * One emulator and `replicas` subgraphs in front of it, on loopback, all
 * sharing `redisUrl` (with a key prefix of their own, so suites sharing
 * one Redis do not meet), or none when it is null.
 */
export async function startFleet(options: { replicas?: number; redisUrl: string | null; emulator?: EmulatorOptions | Emulator; subgraph?: Partial<SubgraphOptions> }): Promise<TestFleet> {
  const own = !(options.emulator && 'url' in options.emulator);
  const emulator = own ? await startEmulator({ seed: { historyScale: 0.01 }, ...(options.emulator as EmulatorOptions | undefined) }) : (options.emulator as Emulator);
  const prefix = `test-${randomUUID().slice(0, 8)}:`;
  const replicas = await Promise.all(
    Array.from({ length: options.replicas ?? 3 }, () =>
      startSubgraph({
        wandbBaseUrl: emulator.url,
        appUrl: 'https://wandb.example.com',
        serviceKey: null,
        logger: silentLogger(),
        redisUrl: options.redisUrl,
        redisPrefix: prefix,
        ...options.subgraph,
      }),
    ),
  );
  return {
    emulator,
    replicas,
    close: async () => {
      await Promise.all(replicas.map((r) => r.close()));
      if (own) await emulator.close();
    },
  };
}

/** Basic api:<key>, as W&B clients send it. */
export const basic = (key: string) => `Basic ${Buffer.from(`api:${key}`).toString('base64')}`;

/** POSTs a GraphQL request (body as given) to one replica as `key`. */
export async function post<T = any>(url: string, key: string | null, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; data?: T; errors?: any[] }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: basic(key) } : {}), ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, ...((await res.json()) as object) };
}
