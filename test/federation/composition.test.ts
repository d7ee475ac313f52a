/** Our subgraph composes with an independent company subgraph, with no hint. */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { printSubgraphSchema } from '@apollo/subgraph';
import { composeSupergraph } from '../../scripts/federation.js';
import { createSubgraphSchema } from '../../src/graphql/schema.js';
import { companySchemaPath } from '../fixtures/company/server.js';

describe('composition', () => {
  const ours = printSubgraphSchema(createSubgraphSchema());
  const company = readFileSync(companySchemaPath, 'utf8');

  it('composes with the company subgraph with no errors and no hints', () => {
    const { supergraphSdl, hints } = composeSupergraph([
      { name: 'wandb', url: 'http://wandb/graphql', sdl: ours },
      { name: 'company', url: 'http://company/graphql', sdl: company },
    ]);
    expect(hints).toEqual([]);
    // Both keys of Run, the Artifact key, and demand-control directives reach the supergraph.
    expect(supergraphSdl).toMatch(/type Run\s[^{]*@join__type\(graph: WANDB, key: "id"\)[^{]*@join__type\(graph: WANDB, key: "path"\)/);
    expect(supergraphSdl).toMatch(/type Artifact[^{]*@join__type\(graph: WANDB, key: "id"\)/);
    expect(supergraphSdl).toContain('@listSize');
    expect(supergraphSdl).toContain('@cost');
  });

  it('the published SDL is what the subgraph serves', () => {
    const published = readFileSync(new URL('../../schema/published/subgraph.graphql', import.meta.url), 'utf8');
    expect(published).toContain(ours.trim());
  });
});
