/**
 * The request context Apollo gives a gateway's executor (the compiled
 * executor runs as one: src/graphql/executor.ts), as patches/ makes it:
 * its response head is an instance of one class, not an object literal
 * with accessors per request. V8 gives each such literal a hidden class of
 * its own in the old generation, whose accessors keep every request's
 * context and result reachable from the young generation until a full
 * collection (README, "Patched dependencies"). The head must still pass a
 * status and headers set by the executor on to the response.
 */
import { describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import type { GatewayGraphQLRequestContext, GatewayInterface } from '@apollo/server-gateway-interface';
import { buildSchema } from 'graphql';

describe("Apollo's request context for a gateway executor", () => {
  it('builds its response head from one class, and passes on the status and headers set on it', async () => {
    const schema = buildSchema('type Query { ok: Boolean }');
    const heads: NonNullable<GatewayGraphQLRequestContext['response']>['http'][] = [];
    const gateway: GatewayInterface = {
      async load() {
        return {
          schema,
          executor: async (requestContext) => {
            const http = requestContext.response?.http;
            if (!http) throw new Error('no response head');
            heads.push(http);
            http.status = 203;
            http.headers.set('x-set-by-executor', String(heads.length));
            return { data: { ok: http.status === 203 } };
          },
        };
      },
      onSchemaLoadOrUpdate(callback) {
        callback({ apiSchema: schema, coreSupergraphSdl: '' });
        return () => {};
      },
      async stop() {},
    };
    const server = new ApolloServer({ gateway });
    await server.start();
    try {
      const answers = [await server.executeOperation({ query: '{ ok }' }), await server.executeOperation({ query: '{ ok }' })];
      expect(answers.map((a) => a.http.status)).toEqual([203, 203]);
      expect(answers.map((a) => a.http.headers.get('x-set-by-executor'))).toEqual(['1', '2']);
      expect(answers.map((a) => (a.body.kind === 'single' ? a.body.singleResult.data : null))).toEqual([{ ok: true }, { ok: true }]);

      const [first, second] = heads;
      const prototype = Object.getPrototypeOf(first);
      expect(prototype).not.toBe(Object.prototype);
      expect(Object.getPrototypeOf(second)).toBe(prototype);
      // The status is the class's accessor, not a property (with its closures) of each head.
      expect(Object.getOwnPropertyDescriptor(first, 'status')).toBeUndefined();
      expect(typeof Object.getOwnPropertyDescriptor(prototype, 'status')?.get).toBe('function');
    } finally {
      await server.stop();
    }
  });
});
