import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/server.js';

/** ../shared beside the project root, where the W&B schema and client documents live. */
export const sharedDir = fileURLToPath(new URL('../../../../shared/', import.meta.url));
export const hasShared = existsSync(`${sharedDir}wandb/client-operations`);

/** A client document of the official W&B client, by file name without .graphql. */
export function clientOperation(name: string): string {
  return readFileSync(`${sharedDir}wandb/client-operations/${name}.graphql`, 'utf8');
}

/** Starts an in-memory emulator on an ephemeral loopback port, seeded small unless told otherwise. */
export function startTestEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ seed: { historyScale: 0.01 }, ...options });
}

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** A W&B-protocol client bound to one API key, speaking real HTTP. */
export function wandbClient(emulator: Emulator, apiKey: string) {
  const auth = `Basic ${Buffer.from(`api:${apiKey}`).toString('base64')}`;
  return {
    auth,
    async gql<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<T>> {
      const res = await fetch(`${emulator.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, ...((await res.json()) as object) };
    },
    async filestream(path: string, body: unknown): Promise<{ status: number; body: any }> {
      const res = await fetch(`${emulator.url}/files/${path}/file_stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    },
  };
}

/** W&B's storage id of a run. */
export function storageId(entity: string, project: string, runId: string): string {
  return Buffer.from(`Run:v1:${runId}:${project}:${entity}`).toString('base64');
}
