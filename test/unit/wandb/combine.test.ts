/**
 * Reads combined into one document (combine.ts): names kept apart, each
 * read's answer, errors and cut places back under its own keys.
 */
import { describe, expect, it } from '@jest/globals';
import { parse, print } from 'graphql';
import { combineReads } from '../../../src/wandb/combine.js';

const page = {
  query: 'query RunsPage($entity: String!, $v0: Int) { project(name: "p", entityName: $entity) { runs(first: $v0) { edges { node { ...RunFields } } } } }\nfragment RunFields on Run { name summaryMetrics }',
  variables: { entity: 'e', v0: 2 },
  carve: { depth: 3, wanted: (p: readonly string[]) => p[1] === 'project' && p[2] === 'runs' },
};
const lookup = {
  query: 'query RunLookup($v0: String!, $v1: String!) { p0: project(entityName: $v1, name: "x") { r0: run(name: $v0) { ...RunFields } } }\nfragment RunFields on Run { name config }',
  variables: { v0: 'run1', v1: 'e2' },
};

describe('combined reads', () => {
  it('keep each read\'s variables, fragments and top-level keys apart', () => {
    const combined = combineReads([page, lookup])!;
    expect(combined.variables).toEqual({ q0_entity: 'e', q0_v0: 2, q1_v0: 'run1', q1_v1: 'e2' });
    expect(print(parse(combined.query))).toBe(combined.query);
    expect(combined.query).toContain('q0_project: project(name: "p", entityName: $q0_entity)');
    expect(combined.query).toContain('q1_p0: project(entityName: $q1_v1, name: "x")');
    expect(combined.query).toContain('fragment q0_RunFields on Run {\n  name\n  summaryMetrics\n}');
    expect(combined.query).toContain('fragment q1_RunFields on Run {\n  name\n  config\n}');
    expect(combined.query).toMatch(/^query Combined\(\$q0_entity: String!, \$q0_v0: Int, \$q1_v0: String!, \$q1_v1: String!\)/);
  });

  it('split the answer: data under each read\'s own keys, errors at their own paths, path-less errors to every read', () => {
    const combined = combineReads([page, lookup])!;
    const [a, b] = combined.split({
      data: { q0_project: { runs: null }, q1_p0: { r0: { name: 'run1' } } },
      errors: [{ message: 'bad filter', path: ['q0_project', 'runs'] }, { message: 'slow down' }, { message: 'elsewhere', path: ['q9_x'] }],
    });
    expect(a).toEqual({ data: { project: { runs: null } }, errors: [{ message: 'bad filter', path: ['project', 'runs'] }, { message: 'slow down' }] });
    expect(b).toEqual({ data: { p0: { r0: { name: 'run1' } } }, errors: [{ message: 'slow down' }] });
    expect(combined.split({ data: null, errors: [] })).toEqual([{ data: null, errors: [] }, { data: null, errors: [] }]);
  });

  it('cut each read\'s places under its own keys, and none when reads cut at different depths', () => {
    const combined = combineReads([lookup, page])!;
    expect(combined.carve!.depth).toBe(3);
    expect(combined.carve!.wanted(['data', 'q1_project', 'runs'])).toBe(true);
    expect(combined.carve!.wanted(['data', 'q0_p0', 'runs'])).toBe(false);
    expect(combined.carve!.wanted(['data', 'project', 'runs'])).toBe(false);
    const deeper = { ...lookup, carve: { depth: 4, wanted: () => true } };
    expect(combineReads([page, deeper])!.carve).toBeUndefined();
  });

  it('leave mutations and root fragments to go alone', () => {
    expect(combineReads([page, { query: 'mutation M { deleteRun(input: {id: "x"}) { clientMutationId } }', variables: {} }])).toBeNull();
    expect(combineReads([page, { query: 'query Q { ...F } fragment F on Query { viewer { id } }', variables: {} }])).toBeNull();
  });
});
