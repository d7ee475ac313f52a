/**
 * Cost is a static estimate in the spirit of IBM/Apollo demand control,
 * read from the schema's own `@cost` and `@listSize` directives:
 *
 *   cost(field) = weight(field) + size(field) × cost(its selection set)
 *
 * - weight: the field's `@cost(weight)`, else its type's `@cost(weight)`,
 *   else 1 for an object/interface/union and 0 for a scalar or enum; plus the
 *   `@cost(weight)` of each argument given.
 * - size: 1 for a non-list field. A field with `@listSize(slicingArguments)`
 *   sizes itself, or its `sizedFields` (a connection's `edges`/`nodes`),
 *   by the largest slicing argument: its literal value; for a variable, its
 *   value when known (see {@link queryLimitsPlugin}), else the variable's
 *   default in the operation, else the argument's default in the schema;
 *   else `assumedSize`, else {@link defaultListSize}. `_entities` is sized by
 *   its representations: their number when known, else
 *   {@link defaultEntitiesSize}.
 * - Fragments on several types are summed (an upper bound).
 * - Each item of a list argument (`keys`, `names`, representations) adds 1
 *   to its field's weight; `__schema` costs 1000, `__type` 50 and
 *   federation's `_service` 500, whatever they select.
 *
 * The walks recurse over the document, each fragment once per size: their
 * depth is bounded by the parser's token limit (documentLimits.ts), which
 * refuses a document before these rules ever see it.
 */
import {
  Kind,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLDirective,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { kept } from '../memo.js';

/** The size of a list field nothing else sizes. */
export const defaultListSize = 50;
/** The number of `_entities` representations assumed when it is a variable. */
export const defaultEntitiesSize = 100;

/**
 * The estimated cost of one operation of `document` (the one named
 * `operationName`, or the only one), with `variables` when known; see the
 * module comment. 0 when there is no such operation.
 */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  options: { operationName?: string | null; variables?: Record<string, unknown> | null } = {},
): number {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = options.operationName ? operations.find((o) => o.name?.value === options.operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) return 0;
  return operationCost(schema, operation, fragmentsOf(document), options.variables ?? undefined);
}

/**
 * Fixed costs of fields whose answer is large whatever is selected:
 * `__schema` (the whole schema, ~100 KB), `__type`, and federation's
 * `_service` (the SDL, tens of KB). `__typename` costs nothing.
 */
const fixedCosts = new Map<string, number>([
  ['__typename', 0],
  ['__schema', 1000],
  ['__type', 50],
  ['_service', 500],
]);

/** The cost of one operation: walks it, memoizing memoizing fragments by name and by the sizes handed to their fields. */
export function operationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragment: (name: string) => FragmentDefinitionNode | undefined,
  variables: Record<string, unknown> | undefined,
): number {
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const costDirective = schema.getDirective('cost') ?? schema.getDirective('federation__cost') ?? undefined;
  const listSizeDirective = schema.getDirective('listSize') ?? schema.getDirective('federation__listSize') ?? undefined;
  const variableDefaults = new Map(operation.variableDefinitions?.map((v) => [v.variable.name.value, v.defaultValue]) ?? []);
  const memo = new Map<string, number>();

  const directive = <T>(definition: GraphQLDirective | null | undefined, node: { readonly directives?: readonly DirectiveNode[] } | null | undefined): T | undefined =>
    definition && node ? (getDirectiveValues(definition, node) as T | undefined) : undefined;
  const weightOf = (node: { readonly directives?: readonly DirectiveNode[] } | null | undefined): number | undefined => {
    const weight = directive<{ weight: unknown }>(costDirective, node)?.weight;
    const value = typeof weight === 'string' ? Number(weight) : weight;
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  };

  /** A value node as a number or a list length, through variables; undefined when unknown. */
  const numberOf = (value: ValueNode | undefined, asLength: boolean): number | undefined => {
    if (!value) return undefined;
    if (value.kind === Kind.VARIABLE) {
      const name = value.name.value;
      if (variables && Object.hasOwn(variables, name)) {
        const v = variables[name];
        if (asLength) return Array.isArray(v) ? v.length : undefined;
        return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
      }
      return numberOf(variableDefaults.get(name), asLength);
    }
    if (asLength) return value.kind === Kind.LIST ? value.values.length : undefined;
    return value.kind === Kind.INT ? Number(value.value) : undefined;
  };

  /** The size a @listSize or `_entities` field gives, or undefined when it has neither. */
  const sizeOf = (field: GraphQLField<unknown, unknown>, node: FieldNode, listSize: ListSize | undefined): number | undefined => {
    if (field.name === '_entities' && field.args.some((a) => a.name === 'representations')) {
      return numberOf(node.arguments?.find((a) => a.name.value === 'representations')?.value, true) ?? defaultEntitiesSize;
    }
    if (!listSize) return undefined;
    const sizes = listSize.slicingArguments
      .map((name) => {
        const given = numberOf(node.arguments?.find((a) => a.name.value === name)?.value, false);
        if (given !== undefined) return given;
        const fallback = field.args.find((a) => a.name === name)?.defaultValue;
        return typeof fallback === 'number' && Number.isInteger(fallback) ? fallback : undefined;
      })
      .filter((n): n is number => n !== undefined);
    if (sizes.length > 0) return Math.max(0, ...sizes);
    return listSize.assumedSize ?? undefined;
  };

  const selectionCost = (type: GraphQLNamedType, set: SelectionSetNode | undefined, sized: ReadonlyMap<string, number>): number => {
    let total = 0;
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) {
        total += fieldCost(type, s, sized);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        const on = s.typeCondition ? schema.getType(s.typeCondition.name.value) : type;
        if (on) total += selectionCost(on, s.selectionSet, sized);
      } else {
        const definition = fragment(s.name.value);
        const on = definition ? schema.getType(definition.typeCondition.name.value) : undefined;
        if (!definition || !on) continue;
        const key = `${s.name.value}|${[...sized].join(',')}`;
        if (!memo.has(key)) {
          memo.set(key, 0); // a fragment cycle (refused by NoFragmentCycles) costs nothing
          memo.set(key, selectionCost(on, definition.selectionSet, sized));
        }
        total += memo.get(key)!;
      }
    }
    return Math.min(total, ceiling);
  };

  const fieldCost = (parent: GraphQLNamedType, node: FieldNode, sized: ReadonlyMap<string, number>): number => {
    // Introspection and the federation SDL answer tens of kilobytes each: they cost what they weigh.
    const fixed = fixedCosts.get(node.name.value);
    if (fixed !== undefined) return fixed;
    if (!(isObjectType(parent) || isInterfaceType(parent))) return 0;
    const field = parent.getFields()[node.name.value];
    if (!field) return 0; // unknown: FieldsOnCorrectType reports it
    const named = getNamedType(field.type);
    let weight = weightOf(field.astNode) ?? weightOf(named.astNode) ?? (isCompositeType(named) ? 1 : 0);
    for (const arg of field.args) {
      const given = node.arguments?.find((a) => a.name.value === arg.name);
      if (!given) continue;
      weight += weightOf(arg.astNode) ?? 0;
      // Every item of a list argument (keys, names…) is work sent upstream: one each.
      // (_entities' representations already size its list, so they are not counted twice.)
      if (isListType(getNullableType(arg.type)) && !(field.name === '_entities' && arg.name === 'representations')) weight += numberOf(given.value, true) ?? 0;
    }
    const listSize = listSizeOf(directive<Partial<ListSize>>(listSizeDirective, field.astNode));
    const size = sizeOf(field, node, listSize);
    const handsDown = listSize !== undefined && listSize.sizedFields.length > 0 && size !== undefined;
    const childSizes: ReadonlyMap<string, number> = handsDown ? new Map(listSize.sizedFields.map((f) => [f, size])) : noSizes;
    const children = node.selectionSet ? selectionCost(named, node.selectionSet, childSizes) : 0;
    const multiplier = isListType(getNullableType(field.type)) ? (sized.get(node.name.value) ?? (handsDown ? undefined : size) ?? defaultListSize) : 1;
    return Math.min(weight + multiplier * children, ceiling);
  };

  return selectionCost(root, operation.selectionSet, noSizes);
}

/** The fragments of a document, by name. */
export function fragmentsOf(document: DocumentNode): (name: string) => FragmentDefinitionNode | undefined {
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  return (name) => fragments.get(name);
}

/**
 * Operation costs kept per operation (a parsed document Apollo keeps and
 * hands to each request with the same text) and per what its variables
 * change (see {@link variablesShape}): the same operation sent again costs a
 * lookup, not a walk. At most {@link maxCostsPerOperation} shapes per
 * operation; operations are held weakly, so they go with Apollo's document cache.
 */
export class CostCache {
  private readonly byOperation = new WeakMap<OperationDefinitionNode, { schema: GraphQLSchema; costs: Map<string, number> }>();

  /** {@link operationCost} of `operation` (of `document`), from the cache when it was costed with the same schema and variable shape. */
  cost(schema: GraphQLSchema, operation: OperationDefinitionNode, document: DocumentNode, variables: Record<string, unknown> | undefined): number {
    let entry = this.byOperation.get(operation);
    if (!entry || entry.schema !== schema) {
      entry = { schema, costs: new Map() };
      this.byOperation.set(operation, entry);
    }
    return kept(entry.costs, variablesShape(operation, variables), maxCostsPerOperation, () => operationCost(schema, operation, fragmentsOf(document), variables));
  }
}

/** Variable shapes whose cost {@link CostCache} keeps per operation. */
export const maxCostsPerOperation = 64;

// Private:

/**
 * What of the variables a cost can depend on, as text: for each variable the
 * operation defines, whether it was given and, when it was, the length of a
 * list or the value of an integer (what the walk reads through a variable).
 */
function variablesShape(operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): string {
  let shape = '';
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (!variables || !Object.hasOwn(variables, name)) shape += '-,';
    else {
      const v = variables[name];
      shape += Array.isArray(v) ? `l${v.length},` : typeof v === 'number' && Number.isInteger(v) ? `i${v},` : 'x,';
    }
  }
  return shape;
}

/** Costs and depths above this are reported as this. */
const ceiling = Number.MAX_SAFE_INTEGER;

interface ListSize {
  assumedSize: number | null;
  slicingArguments: string[];
  sizedFields: string[];
}

const noSizes: ReadonlyMap<string, number> = new Map();

function listSizeOf(values: Partial<ListSize> | undefined): ListSize | undefined {
  if (!values) return undefined;
  return {
    assumedSize: typeof values.assumedSize === 'number' ? values.assumedSize : null,
    slicingArguments: values.slicingArguments ?? [],
    sizedFields: values.sizedFields ?? [],
  };
}
