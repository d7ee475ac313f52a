import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import { resolvers } from '../../resolvers/index.js';
import { guardEntities } from './entities.js';
import { nullMeansDefault } from './argumentDefaults.js';

const schemaDir = fileURLToPath(new URL('../../schema/subgraph/', import.meta.url));

/** The subgraph's executable schema: schema/subgraph/*.graphql with the resolver map (an explicit null argument reads as its default). */
export function createSubgraphSchema(): GraphQLSchema {
  const sdl = readdirSync(schemaDir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(`${schemaDir}${f}`, 'utf8'))
    .join('\n');
  return nullMeansDefault(guardEntities(buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers: resolvers as never }])));
}
