/**
 * Bounds on a GraphQL document before it runs: tokens (refused by the
 * parser, before an AST is built), aliases and directives per operation
 * (graphql-armor's rules), fragment definitions per document, and the
 * size of list arguments such as `keys` and `names` (count and length of
 * each string), checked with the request's variables before execution.
 *
 * Environment (read by the config owner): MAX_QUERY_TOKENS (default 5000),
 * MAX_QUERY_ALIASES (100), MAX_QUERY_DIRECTIVES (50), MAX_QUERY_FRAGMENTS
 * (100), MAX_LIST_ARGUMENT_ITEMS (1000), MAX_LIST_ARGUMENT_ITEM_LENGTH (512).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  isObjectType,
  isInterfaceType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';

export interface DocumentLimits {
  /** Most lexical tokens in a document (GraphQL's parser refuses more). */
  maxTokens: number;
  /** Most aliases per operation, fragments included. */
  maxAliases: number;
  /** Most directives per operation, fragments included. */
  maxDirectives: number;
  /** Most fragment definitions per document. */
  maxFragments: number;
  /** Most items in one list argument (`keys`, `names`, …). */
  maxListItems: number;
  /** Longest string item of a list argument. */
  maxItemLength: number;
}

export const defaultDocumentLimits: DocumentLimits = {
  maxTokens: 5000,
  maxAliases: 100,
  maxDirectives: 50,
  maxFragments: 100,
  maxListItems: 1000,
  maxItemLength: 512,
};

/** The environment variables read, by option. */
export const documentLimitEnv: Record<keyof DocumentLimits, string> = {
  maxTokens: 'MAX_QUERY_TOKENS',
  maxAliases: 'MAX_QUERY_ALIASES',
  maxDirectives: 'MAX_QUERY_DIRECTIVES',
  maxFragments: 'MAX_QUERY_FRAGMENTS',
  maxListItems: 'MAX_LIST_ARGUMENT_ITEMS',
  maxItemLength: 'MAX_LIST_ARGUMENT_ITEM_LENGTH',
};

/** The limits from the environment, defaults when unset; throws naming a variable that is not a positive integer. */
export function documentLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): DocumentLimits {
  const out = { ...defaultDocumentLimits };
  for (const key of Object.keys(documentLimitEnv) as (keyof DocumentLimits)[]) {
    const name = documentLimitEnv[key];
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    out[key] = value;
  }
  return out;
}

/** Validation rules for aliases, directives and fragments (run with graphql-js's own, before execution). */
export function documentLimitRules(options: Partial<DocumentLimits> = {}): ValidationRule[] {
  const limits = { ...defaultDocumentLimits, ...options };
  const coded = (kind: string, limit: number) => (message: string) =>
    new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', queryLimit: { kind, limit } } });
  const fragmentsRule: ValidationRule = (context) => ({
    Document(document) {
      const count = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).length;
      if (count > limits.maxFragments) context.reportError(coded('fragments', limits.maxFragments)(`the document defines ${count} fragments, more than the limit of ${limits.maxFragments}`));
    },
  });
  return [
    fragmentsRule,
    maxAliasesRule({ n: limits.maxAliases, ...reportCoded('aliases', limits.maxAliases) }),
    maxDirectivesRule({ n: limits.maxDirectives, ...reportCoded('directives', limits.maxDirectives) }),
  ];
}

/**
 * An Apollo Server plugin refusing, before execution (BAD_USER_INPUT, HTTP
 * 400), an operation with a list argument of more than `maxListItems`
 * items or a string item longer than `maxItemLength`, whether written in
 * the document or passed as a variable.
 */
export function listArgumentsPlugin(options: Partial<DocumentLimits> = {}): ApolloServerPlugin {
  const limits = { ...defaultDocumentLimits, ...options };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          if (!rc.operation) return;
          const problem = listArgumentProblem(rc.schema, rc.document, rc.operation, rc.request.variables ?? {}, limits);
          if (problem) throw new GraphQLError(problem, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
        },
      };
    },
  };
}

/**
 * The first list argument of `operation` over the limits, as a message;
 * null when none. Walks selections with an explicit stack, each fragment
 * once.
 */
export function listArgumentProblem(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  limits: Pick<DocumentLimits, 'maxListItems' | 'maxItemLength'>,
): string | null {
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const root = schema.getRootType(operation.operation);
  if (!root) return null;
  const seen = new Set<string>();
  const stack: [GraphQLNamedType, SelectionSetNode][] = [[root, operation.selectionSet]];
  /** A value as written (a literal's node) or as sent (a variable's value): lists as arrays, objects as their fields. */
  const valueOf = (value: unknown): unknown => {
    const node = value as ValueNode | null | undefined;
    if (!node || typeof node !== 'object' || typeof (node as { kind?: unknown }).kind !== 'string') return value;
    if (node.kind === Kind.VARIABLE) return variables[node.name.value];
    if (node.kind === Kind.LIST) return node.values;
    if (node.kind === Kind.OBJECT) return Object.fromEntries(node.fields.map((f) => [f.name.value, f.value]));
    if (node.kind === Kind.STRING) return node.value;
    return undefined;
  };
  /**
   * The first list over the limits in an argument's value, by its path
   * (`keys`, or `input.tags` inside an input object, a few levels deep);
   * an argument the schema does not know has its lists bounded too.
   */
  const overLimit = (type: GraphQLInputType | undefined, written: unknown, path: string, depth: number): { path: string; items?: number; length?: number } | null => {
    const value = valueOf(written);
    const t = type ? getNullableType(type) : undefined;
    if (Array.isArray(value) && (!t || isListType(t))) {
      if (value.length > limits.maxListItems) return { path, items: value.length };
      const itemType = t && isListType(t) ? getNullableType(t.ofType) : undefined;
      for (const item of value as unknown[]) {
        const text = valueOf(item);
        if (typeof text === 'string' && text.length > limits.maxItemLength) return { path, length: text.length };
        // Input objects in a list (where: { config: [{ key, in: [...] }] }) have their own lists.
        const found = itemType && isInputObjectType(itemType) ? overLimit(itemType, item, `${path}[]`, depth + 1) : null;
        if (found) return found;
      }
      return null;
    }
    if (t && isInputObjectType(t) && depth < 4 && typeof value === 'object' && value !== null) {
      for (const [name, inner] of Object.entries(t.getFields())) {
        const found = overLimit(inner.type, (value as Record<string, unknown>)[name], `${path}.${name}`, depth + 1);
        if (found) return found;
      }
    }
    return null;
  };
  while (stack.length > 0) {
    const [type, set] = stack.pop()!;
    for (const s of set.selections) {
      if (s.kind === Kind.INLINE_FRAGMENT) {
        const on = s.typeCondition ? schema.getType(s.typeCondition.name.value) : type;
        if (on) stack.push([on, s.selectionSet]);
        continue;
      }
      if (s.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(s.name.value);
        const on = f ? schema.getType(f.typeCondition.name.value) : undefined;
        if (f && on && !seen.has(f.name.value)) {
          seen.add(f.name.value);
          stack.push([on, f.selectionSet]);
        }
        continue;
      }
      const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[s.name.value] : undefined;
      for (const arg of s.arguments ?? []) {
        const def = field?.args.find((a) => a.name === arg.name.value);
        const found = overLimit(def?.type, arg.value, arg.name.value, 0);
        if (found?.items !== undefined) return `argument ${found.path} of ${s.name.value} has ${found.items} items, more than the limit of ${limits.maxListItems}`;
        if (found?.length !== undefined) return `an item of argument ${found.path} of ${s.name.value} is ${found.length} characters long, more than the limit of ${limits.maxItemLength}`;
      }
      if (field && s.selectionSet) {
        const named = getNamedType(field.type);
        if (!isInputObjectType(named)) stack.push([named, s.selectionSet]);
      }
    }
  }
  return null;
}

// Private:

/** graphql-armor's options reporting a rejection as a validation error coded BAD_USER_INPUT (not thrown). */
function reportCoded(kind: string, limit: number) {
  return {
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) =>
        context?.reportError(
          new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code: 'BAD_USER_INPUT', queryLimit: { kind, limit } } }),
        ),
    ],
  };
}
