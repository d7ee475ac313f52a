/**
 * Depth counts nested field levels (a root field is level 1) through
 * fragments and inline fragments; `__typename` and the `__schema`/`__type`
 * introspection subtrees are not counted, so tools can introspect.
 */
import { Kind, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/** The deepest field nesting of an operation; see the module comment for what counts. */
export function queryDepth(operation: OperationDefinitionNode, fragment: (name: string) => FragmentDefinitionNode | undefined): number {
  const memo = new Map<string, number>();
  const depthOf = (set: SelectionSetNode | undefined): number => {
    let deepest = 0;
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) {
        if (introspection.has(s.name.value)) continue;
        deepest = Math.max(deepest, 1 + depthOf(s.selectionSet));
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depthOf(s.selectionSet));
      } else {
        const name = s.name.value;
        if (!memo.has(name)) {
          memo.set(name, 0); // a fragment cycle (refused by NoFragmentCycles) counts nothing
          memo.set(name, depthOf(fragment(name)?.selectionSet));
        }
        deepest = Math.max(deepest, memo.get(name)!);
      }
    }
    return deepest;
  };
  return depthOf(operation.selectionSet);
}

/** Fields neither depth nor cost counts. */
export const introspection = new Set(['__typename', '__schema', '__type']);
