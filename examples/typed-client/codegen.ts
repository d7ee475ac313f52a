/**
 * graphql-codegen config for the typed client example. Run from the project
 * root:
 *
 *   npx graphql-codegen --config examples/typed-client/codegen.ts           # regenerate gql/
 *   npx graphql-codegen --config examples/typed-client/codegen.ts --check   # fail when gql/ is stale
 *
 * Another team points `schema` at its copy of the published SDL, or at the
 * running subgraph or router URL (codegen then introspects it).
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  overwrite: true,
  schema: 'schema/published/subgraph.graphql',
  documents: ['examples/typed-client/**/*.ts', '!examples/typed-client/gql/**'],
  // The generated files import each other with `.js` suffixes, as NodeNext requires.
  emitLegacyCommonJSImports: false,
  ignoreNoDocuments: false,
  generates: {
    'examples/typed-client/gql/': {
      preset: 'client',
      presetConfig: {
        // Queries get opaque references to `...RunRow`; getFragmentData(RunRow, ref) reveals them.
        // The preset calls that function useFragment by default, a name React's lint rules take for a hook.
        fragmentMasking: { unmaskFunctionName: 'getFragmentData' },
      },
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown' },
        useTypeImports: true,
        // Enums as string unions (RunState = 'RUNNING' | …), no runtime objects. This is what
        // `enumsAsTypes: true` did; client-preset 6 no longer forwards that option and reads `enumType`.
        enumType: 'string-literal',
      },
    },
  },
};

export default config;
