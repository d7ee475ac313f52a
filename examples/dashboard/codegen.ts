/**
 * graphql-codegen config for the dashboard: typed documents for the
 * operations in src/ from the subgraph's published SDL. Run from the project
 * root (`npm run codegen` / `npm run codegen:check` include it).
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  overwrite: true,
  schema: 'schema/published/subgraph.graphql',
  documents: ['examples/dashboard/src/**/*.{ts,tsx}', '!examples/dashboard/src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'examples/dashboard/src/gql/': {
      preset: 'client',
      // The views read whole results; masking would only add unwrapping calls.
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown' },
        useTypeImports: true,
        enumType: 'string-literal',
      },
    },
  },
};

export default config;
