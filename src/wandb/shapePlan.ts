/**
 * The shape check compiled: a document is turned once into a plan (per
 * selection set and concrete type, each response key with its field's
 * type: non-null and list wrappers, scalar, enum values or object type and
 * its own plan), and each W&B answer is then walked along the plan,
 * synchronously, with no graphql-js execution.
 *
 * Hand-written on purpose, measured: graphql-js execution (promise checks,
 * argument coercion, path objects, a resolver call per field) was about
 * 0.35 ms of 3.5 ms CPU per 50-run page; the walk does the same checks in
 * a tenth of the time (figures in shape.ts). graphql-jit, which runs the
 * subgraph's own queries, took about twice the walk's time on the same
 * page (resolvers reading response keys need its info objects), and its
 * type resolution and errors are not graphql-js's.
 *
 * The walk reproduces graphql-js result coercion exactly, leniencies
 * included: each scalar's own serialize() decides any value the fast paths
 * do not, so an Int may arrive as true or "42" and a String as a number or
 * a boolean, as they always could (a stricter String would drop answers graphql-js kept, for
 * no safety: what passes is a string either way). Two differences are
 * deliberate and distrust W&B more: a list must be an array (not any
 * iterable), and a value where an object is due must be a non-array
 * object (graphql-js reads a string's or an array's fields as missing).
 *
 * Fields are collected as graphql-js collects them (fragments, type
 * conditions, @skip/@include, response keys merged), so a plan depends on
 * the outcome of the document's @skip/@include directives: one plan per
 * outcome, built lazily as answers reach its parts, bounded in size (a
 * plan that would grow past its budget, e.g. fragments spread into each
 * other, gives the document back to graphql-js). Documents graphql-js
 * refuses as a whole (several operations, an operation type W&B has not)
 * are not compiled, and introspection is left to graphql-js.
 */
import {
  getArgumentValues,
  getDirectiveValues,
  coerceInputValue,
  getVariableValues,
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLID,
  GraphQLIncludeDirective,
  GraphQLInt,
  GraphQLSkipDirective,
  GraphQLString,
  isAbstractType,
  isEnumType,
  isInputType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  print,
  Kind,
  typeFromAST,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type NamedTypeNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLLeafType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { UpstreamFieldError } from './client.js';
import { kept } from '../memo.js';

/** A checked answer: the data as graphql-js would have completed it, and the errors at their paths. */
export interface ShapeResult {
  data: Record<string, unknown> | null;
  errors: UpstreamFieldError[];
}

/** A document's compiled check. */
export interface ShapePlan {
  /** The checked answer, or undefined when the plan does not cover it (over its budget, introspection): check it with graphql-js. */
  check(variables: Record<string, unknown>, data: Record<string, unknown>): ShapeResult | undefined;
}

/** The error every bad value becomes (its message names the path). */
export function shapeError(path: readonly (string | number)[] | undefined): UpstreamFieldError {
  return {
    message: `W&B sent an answer of the wrong shape at ${(path ?? []).join('.')}`,
    ...(path ? { path } : {}),
    extensions: { code: 'UPSTREAM_UNAVAILABLE' },
  };
}

/**
 * The compiled check of `document` against `schema`, or null when the
 * document is one graphql-js would refuse as a whole (check it with
 * graphql-js, which says so).
 */
export function compileShapePlan(schema: GraphQLSchema, document: DocumentNode): ShapePlan | null {
  let operation: OperationDefinitionNode | undefined;
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null);
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      if (operation) return null;
      operation = definition;
    } else if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments[definition.name.value] = definition;
    }
  }
  if (!operation) return null;
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return null;

  // Every selection that carries @skip or @include, numbered: a plan is built per outcome of all of them.
  const conditioned = new Map<SelectionNode, number>();
  let fieldNodes = 0;
  const visit = (set: SelectionSetNode): void => {
    for (const selection of set.selections) {
      if (selection.directives?.some((d) => d.name.value === 'skip' || d.name.value === 'include')) conditioned.set(selection, conditioned.size);
      if (selection.kind === Kind.FIELD) fieldNodes++;
      if (selection.kind !== Kind.FRAGMENT_SPREAD && selection.selectionSet) visit(selection.selectionSet);
    }
  };
  visit(operation.selectionSet);
  for (const name in fragments) visit(fragments[name].selectionSet);
  const nodes = [...conditioned.keys()];

  const variableDefinitions = operation.variableDefinitions ?? [];
  const doc: Compiled = { schema, fragments, conditioned, budget: 10_000 + 4 * fieldNodes, declaredTypes: new Map(variableDefinitions.map((d) => [d.variable.name.value, print(d.type)])) };
  const variableTypes = variableDefinitions.map((d) => {
    const type = typeFromAST(schema, d.type);
    return { name: d.variable.name.value, type: isInputType(type) ? type : null, byDefault: d.defaultValue && isInputType(type) ? valueFromAST(d.defaultValue, type) : undefined, defaulted: !!d.defaultValue };
  });
  const rootSelection = operation.selectionSet;
  /** Plans by outcome of the directives ('1' included, '0' left out, 'e' failing), at most 8 kept. */
  const plans = new Map<string, Plan>();

  return {
    check(variables, data) {
      let values = coerceVariables(variableTypes, variables ?? {});
      if (!values) {
        // graphql-js refuses the variables: it answers its errors alone, without data.
        const coerced = getVariableValues(schema, variableDefinitions, variables ?? {}, { maxErrors: 50 });
        if (coerced.errors) return { data: null, errors: coerced.errors.map(() => shapeError(undefined)) };
        values = coerced.coerced;
      }
      let outcomes = '';
      for (const node of nodes) outcomes += inclusion(node, values);
      const plan = kept(plans, outcomes, 8, () => ({ doc, outcomes, size: 0, root: selectionOf(null, [rootSelection]) }));
      const walk: Walk = { id: ++walks, plan, variables: values, errors: [], path: [] };
      try {
        const root = objectPlan(plan, plan.root, rootType);
        if (root === failed) return { data: null, errors: [shapeError(undefined)] };
        const out = completeObject(walk, root, data);
        return { data: out === failed ? null : (out as Record<string, unknown>), errors: walk.errors };
      } catch (error) {
        if (error === notCovered) return undefined;
        throw error;
      }
    },
  };
}

// Private:

interface Compiled {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  conditioned: Map<SelectionNode, number>;
  /** Most field plans one plan may hold. */
  budget: number;
  /** The operation's variables' types, printed ("String!"), by name. */
  declaredTypes: ReadonlyMap<string, string>;
}

interface Plan {
  doc: Compiled;
  outcomes: string;
  /** Field plans built so far. */
  size: number;
  root: Selection;
}

/** The merged selection of a field (its field nodes' selection sets), planned per concrete type as answers need it. */
interface Selection {
  sets: readonly SelectionSetNode[];
  byType: Map<string, ObjectPlan | typeof failed>;
}

interface ObjectPlan {
  fields: FieldPlan[];
  /** A response key is "__proto__": the answer object must have no prototype to hold it as a key. */
  bare: boolean;
}

/** Arguments valid whatever the variables, invalid whatever they are, or to check with the variables. */
const argsValid = 0;
const argsInvalid = 1;
const argsVary = 2;

interface FieldPlan {
  key: string;
  /** The parent type's name, for __typename; null otherwise. */
  typename: string | null;
  nonNull: boolean;
  shape: Shape;
  args: number;
  def: GraphQLField<unknown, unknown> | null;
  node: FieldNode;
  /** The walk that last checked arguments that vary (its number), and what it found. */
  argsWalk: number;
  argsOk: boolean;
}

const nonNull = 0;
const list = 1;
const intKind = 2;
const floatKind = 3;
const stringKind = 4;
const booleanKind = 5;
const idKind = 6;
const enumKind = 7;
const otherLeaf = 8;
const objectKind = 9;
const abstractKind = 10;
/** A count or a size (Int or Int64): a whole number from 0 up, within its type (below 2^53 for Int64). */
const countKind = 11;

/** W&B's own scalars, checked as their values are written (buildSchema's scalars would pass anything). */
const dateTimeKind = 12;
const jsonStringKind = 13;
const int64Kind = 14;
const ownScalars = new Map([
  ['DateTime', dateTimeKind],
  ['JSONString', jsonStringKind],
  ['Int64', int64Kind],
]);
/** An ISO 8601 date and time, as W&B writes them (the zone may be left out: W&B means UTC). */
const isoDateTime = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?$/;
const int64Text = /^-?(?:0|[1-9][0-9]{0,15})$/;

/** The checks of W&B's own scalars by name (the execution check uses them too, see shape.ts). */
export const wandbScalars: Readonly<Record<string, (value: unknown) => boolean>> = {
  DateTime: (v) => typeof v === 'string' && isoDateTime.test(v),
  JSONString: (v) => typeof v === 'string',
  // Int64 may come as a string of digits (W&B's encoding of it is not documented): kept as it came.
  Int64: (v) => (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && int64Text.test(v) && Number.isSafeInteger(Number(v))),
};

/** A count's or a size's value: a whole number from 0 up, within Int when `int` (else Int64, as a number or digits). */
export function isCount(value: unknown, int: boolean): boolean {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 && (!int || value <= maxInt);
  return !int && wandbScalars.Int64(value) && !(value as string).startsWith('-');
}

/** W&B's fields that count or measure: a negative, fractional or unsafe value is a wrong shape, as a string would be. */
export const countFields = new Set(['runCount', 'fileCount', 'totalCount', 'historyLineCount', 'eventsLineCount', 'logLineCount', 'sizeBytes', 'size']);

/** A field's type as planned; every shape has every property (one hidden class for the walk). */
interface Shape {
  kind: number;
  of: Shape | null;
  leaf: GraphQLLeafType | null;
  /** An enum's names by value. */
  names: Map<unknown, string> | null;
  object: GraphQLObjectType | null;
  /** An abstract type's possible types by name, and the one assumed when the answer names none. */
  possible: Map<string, GraphQLObjectType> | null;
  first: GraphQLObjectType | null;
  selection: Selection | null;
}

interface Walk {
  /** Numbers walks, for what is found once per walk. */
  id: number;
  plan: Plan;
  variables: Record<string, unknown>;
  errors: UpstreamFieldError[];
  /** The path of the value being checked (keys pushed and popped as the walk goes). */
  path: (string | number)[];
}

let walks = 0;

/** A value that failed: null it up to the nearest nullable parent (its error is already recorded). */
const failed: unique symbol = Symbol('failed');
/** Thrown when a plan does not cover an answer: it outgrew its budget, or the document introspects. */
const notCovered = new Error('answer not covered by the shape plan');
/** Thrown while collecting fields when a @skip/@include of the selection fails (graphql-js fails the field). */
const directiveFailed = new Error('directive failed');

interface VariableType {
  name: string;
  /** null: not an input type (graphql-js refuses the document's variables). */
  type: GraphQLInputType | null;
  defaulted: boolean;
  byDefault: unknown;
}

const invalid: unique symbol = Symbol('invalid');

/**
 * The variables coerced as graphql-js's getVariableValues does, or null when
 * any is refused (graphql-js then says why). Its cost (typeFromAST, path
 * objects, error callbacks per variable) was a third of a page's check.
 */
function coerceVariables(types: readonly VariableType[], inputs: Record<string, unknown>): Record<string, unknown> | null {
  const coerced: Record<string, unknown> = Object.create(null);
  for (const { name, type, defaulted, byDefault } of types) {
    if (!type) return null;
    if (!Object.prototype.hasOwnProperty.call(inputs, name)) {
      if (defaulted) coerced[name] = byDefault;
      else if (isNonNullType(type)) return null;
      continue;
    }
    const value = coerceInput(inputs[name], type);
    if (value === invalid) return null;
    coerced[name] = value;
  }
  return coerced;
}

/** graphql-js's coerceInputValue, for validity: lists and leaves here, input objects by graphql-js itself. */
function coerceInput(value: unknown, type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return value === null || value === undefined ? invalid : coerceInput(value, type.ofType);
  if (value === null || value === undefined) return null;
  if (isListType(type)) {
    if (!Array.isArray(value)) {
      if (typeof value === 'object') return coerceByGraphql(value, type);
      return wrap(coerceInput(value, type.ofType));
    }
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) if ((out[i] = coerceInput(value[i], type.ofType)) === invalid) return invalid;
    return out;
  }
  if (isLeafType(type)) {
    try {
      const parsed: unknown = type.parseValue(value);
      return parsed === undefined ? invalid : parsed;
    } catch {
      return invalid;
    }
  }
  return coerceByGraphql(value, type);
}

function wrap(item: unknown): unknown {
  return item === invalid ? invalid : [item];
}

function coerceByGraphql(value: unknown, type: GraphQLInputType): unknown {
  try {
    return coerceInputValue(value, type);
  } catch {
    return invalid;
  }
}

/** The outcome of a selection's @skip/@include, as graphql-js's shouldIncludeNode decides it. */
function inclusion(node: SelectionNode, variables: Record<string, unknown>): string {
  try {
    if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return '0';
    return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if === false ? '0' : '1';
  } catch {
    return 'e';
  }
}

function selectionOf(fieldNodes: readonly FieldNode[] | null, sets: readonly SelectionSetNode[] = []): Selection {
  return { sets: fieldNodes ? fieldNodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : [])) : sets, byType: new Map() };
}

/** The fields of `selection` on concrete type `type`, collected as graphql-js's collectSubfields does. */
function objectPlan(plan: Plan, selection: Selection, type: GraphQLObjectType): ObjectPlan | typeof failed {
  let found = selection.byType.get(type.name);
  if (found !== undefined) return found;
  const grouped = new Map<string, FieldNode[]>();
  const visited = new Set<string>();
  try {
    for (const set of selection.sets) collect(plan, type, set, grouped, visited);
    const fields: FieldPlan[] = [];
    for (const [key, nodes] of grouped) {
      const field = fieldPlan(plan, type, key, nodes);
      if (field) fields.push(field);
    }
    found = { fields, bare: grouped.has('__proto__') };
  } catch (error) {
    if (error !== directiveFailed) throw error;
    found = failed;
  }
  selection.byType.set(type.name, found);
  return found;
}

function collect(plan: Plan, type: GraphQLObjectType, set: SelectionSetNode, grouped: Map<string, FieldNode[]>, visited: Set<string>): void {
  for (const selection of set.selections) {
    switch (selection.kind) {
      case Kind.FIELD: {
        if (!included(plan, selection)) continue;
        const key = selection.alias ? selection.alias.value : selection.name.value;
        const same = grouped.get(key);
        if (same) same.push(selection);
        else grouped.set(key, [selection]);
        break;
      }
      case Kind.INLINE_FRAGMENT:
        if (!included(plan, selection) || !matches(plan.doc.schema, selection.typeCondition, type)) continue;
        collect(plan, type, selection.selectionSet, grouped, visited);
        break;
      case Kind.FRAGMENT_SPREAD: {
        const name = selection.name.value;
        if (visited.has(name) || !included(plan, selection)) continue;
        visited.add(name);
        const fragment = plan.doc.fragments[name];
        if (!fragment || !matches(plan.doc.schema, fragment.typeCondition, type)) continue;
        collect(plan, type, fragment.selectionSet, grouped, visited);
        break;
      }
    }
  }
}

function included(plan: Plan, selection: SelectionNode): boolean {
  const index = plan.doc.conditioned.get(selection);
  if (index === undefined) return true;
  const outcome = plan.outcomes[index];
  if (outcome === 'e') throw directiveFailed;
  return outcome === '1';
}

/** graphql-js's doesFragmentConditionMatch. */
function matches(schema: GraphQLSchema, condition: NamedTypeNode | undefined, type: GraphQLObjectType): boolean {
  if (!condition) return true;
  const conditional = typeFromAST(schema, condition);
  if (conditional === type) return true;
  return isAbstractType(conditional) ? schema.isSubType(conditional, type) : false;
}

/** One response key on a concrete type: null for a field the type has not (graphql-js leaves it out). */
function fieldPlan(plan: Plan, type: GraphQLObjectType, key: string, nodes: FieldNode[]): FieldPlan | null {
  const schema = plan.doc.schema;
  const node = nodes[0];
  const name = node.name.value;
  if (++plan.size > plan.doc.budget) throw notCovered;
  const base = { key, node, argsWalk: 0, argsOk: true };
  if (name === '__typename') return { ...base, typename: type.name, nonNull: true, shape: leafShape(stringKind, GraphQLString), args: argsValid, def: null };
  // Introspection is graphql-js's to answer.
  if ((name === '__schema' || name === '__type') && schema.getQueryType() === type) throw notCovered;
  const def = type.getFields()[name];
  if (!def) return null;
  const shape = shapeOf(schema, def.type, nodes);
  return { ...base, typename: null, nonNull: isNonNullType(def.type), shape: countFields.has(name) ? counted(shape) : shape, args: argsOf(def, node, plan.doc.declaredTypes), def };
}

/** A count's shape: its Int or custom (Int64) leaf checked as a count. */
function counted(shape: Shape): Shape {
  if (shape.kind === nonNull) return { ...shape, of: counted(shape.of!) };
  return shape.kind === intKind || shape.kind === int64Kind ? { ...shape, kind: countKind } : shape;
}

function argsOf(def: GraphQLField<unknown, unknown>, node: FieldNode, declaredTypes: ReadonlyMap<string, string>): number {
  if (node.arguments?.some((a) => hasVariable(a.value))) return plainVariables(def, node, declaredTypes) ? argsValid : argsVary;
  try {
    getArgumentValues(def, node, {});
    return argsValid;
  } catch {
    return argsInvalid;
  }
}

/**
 * True when every argument given is a variable of the argument's own type
 * (or its non-null form) and every required argument is given: the
 * arguments then coerce whenever the variables do, which the walk has
 * already checked (as in documents this subgraph builds: run(name: $v0)).
 */
function plainVariables(def: GraphQLField<unknown, unknown>, node: FieldNode, declaredTypes: ReadonlyMap<string, string>): boolean {
  const given = node.arguments ?? [];
  for (const a of given) {
    const arg = def.args.find((d) => d.name === a.name.value);
    const type = a.value.kind === Kind.VARIABLE ? declaredTypes.get(a.value.name.value) : undefined;
    if (!arg || type === undefined || (type !== String(arg.type) && type !== `${String(arg.type)}!`)) return false;
  }
  return def.args.every((d) => !isNonNullType(d.type) || d.defaultValue !== undefined || given.some((a) => a.name.value === d.name));
}

function hasVariable(value: ValueNode): boolean {
  switch (value.kind) {
    case Kind.VARIABLE:
      return true;
    case Kind.LIST:
      return value.values.some(hasVariable);
    case Kind.OBJECT:
      return value.fields.some((f) => hasVariable(f.value));
    default:
      return false;
  }
}

function blankShape(kind: number): Shape {
  return { kind, of: null, leaf: null, names: null, object: null, possible: null, first: null, selection: null };
}

function leafShape(kind: number, leaf: GraphQLLeafType): Shape {
  return { ...blankShape(kind), leaf };
}

function shapeOf(schema: GraphQLSchema, type: GraphQLOutputType, nodes: FieldNode[]): Shape {
  if (isNonNullType(type) || isListType(type)) return { ...blankShape(isNonNullType(type) ? nonNull : list), of: shapeOf(schema, type.ofType as GraphQLOutputType, nodes) };
  if (isObjectType(type)) return { ...blankShape(objectKind), object: type, selection: selectionOf(nodes) };
  if (isAbstractType(type)) {
    const possible = schema.getPossibleTypes(type);
    return { ...blankShape(abstractKind), possible: new Map(possible.map((t) => [t.name, t])), first: possible[0] ?? null, selection: selectionOf(nodes) };
  }
  if (isEnumType(type)) return { ...leafShape(enumKind, type), names: new Map(type.getValues().map((v) => [v.value, v.name])) };
  const kind = type === GraphQLInt ? intKind : type === GraphQLFloat ? floatKind : type === GraphQLString ? stringKind : type === GraphQLBoolean ? booleanKind : type === GraphQLID ? idKind : (ownScalars.get(type.name) ?? otherLeaf);
  return leafShape(kind, type);
}

function fail(walk: Walk): typeof failed {
  walk.errors.push(shapeError(walk.path.slice()));
  return failed;
}

function completeObject(walk: Walk, plan: ObjectPlan, source: Record<string, unknown>): Record<string, unknown> | typeof failed {
  const out: Record<string, unknown> = plan.bare ? Object.create(null) : {};
  const fields = plan.fields;
  const path = walk.path;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    if (field.typename !== null) {
      out[field.key] = field.typename;
      continue;
    }
    path.push(field.key);
    // A field asked for and absent from the answer is a wrong shape too (JSON.parse never gives undefined): never read as null.
    const given = source[field.key];
    const value = given !== undefined && (field.args === argsValid || (field.args === argsVary && argsHold(walk, field))) ? complete(walk, field.shape, given) : fail(walk);
    path.pop();
    if (value === failed) {
      if (field.nonNull) return failed;
      out[field.key] = null;
    } else out[field.key] = value;
  }
  return out;
}

/** Whether arguments that use variables coerce (graphql-js fails the field otherwise); once per walk. */
function argsHold(walk: Walk, field: FieldPlan): boolean {
  if (field.argsWalk !== walk.id) {
    field.argsWalk = walk.id;
    try {
      getArgumentValues(field.def!, field.node, walk.variables);
      field.argsOk = true;
    } catch {
      field.argsOk = false;
    }
  }
  return field.argsOk;
}

function complete(walk: Walk, shape: Shape, value: unknown): unknown {
  if (shape.kind !== nonNull) return completeNullable(walk, shape, value);
  const completed = completeNullable(walk, shape.of!, value);
  return completed === null ? fail(walk) : completed;
}

const maxInt = 2147483647;
const minInt = -2147483648;

function completeNullable(walk: Walk, shape: Shape, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (shape.kind) {
    case stringKind:
    case idKind:
      if (typeof value === 'string') return value;
      break;
    case intKind:
      if (typeof value === 'number' && Number.isInteger(value) && value <= maxInt && value >= minInt) return value;
      break;
    case floatKind:
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      break;
    case booleanKind:
      if (typeof value === 'boolean') return value;
      break;
    case dateTimeKind:
      return wandbScalars.DateTime(value) ? value : fail(walk);
    case jsonStringKind:
      return typeof value === 'string' ? value : fail(walk);
    case int64Kind:
      return wandbScalars.Int64(value) ? value : fail(walk);
    case countKind:
      return isCount(value, shape.leaf === GraphQLInt) ? value : fail(walk);
    case enumKind: {
      const name = shape.names!.get(value);
      return name === undefined ? fail(walk) : name;
    }
    case list:
      return completeList(walk, shape.of!, value);
    case objectKind:
    case abstractKind:
      return completeComposite(walk, shape, value);
  }
  // Any other leaf value: the scalar's own serialize() decides, as in graphql-js (custom scalars pass as they are).
  try {
    const serialized: unknown = shape.leaf!.serialize(value);
    return serialized === null || serialized === undefined ? fail(walk) : serialized;
  } catch {
    return fail(walk);
  }
}

function completeList(walk: Walk, item: Shape, value: unknown): unknown {
  if (!Array.isArray(value)) return fail(walk);
  const out = new Array<unknown>(value.length);
  const path = walk.path;
  const itemNonNull = item.kind === nonNull;
  for (let i = 0; i < value.length; i++) {
    path.push(i);
    const completed = complete(walk, item, value[i]);
    path.pop();
    if (completed === failed) {
      if (itemNonNull) return failed;
      out[i] = null;
    } else out[i] = completed;
  }
  return out;
}

function completeComposite(walk: Walk, shape: Shape, value: unknown): unknown {
  if (typeof value !== 'object' || Array.isArray(value)) return fail(walk);
  let type = shape.object;
  if (type === null) {
    // An abstract type's concrete type: the answer's __typename, else the first possible one.
    const named = (value as { __typename?: unknown }).__typename;
    type = typeof named === 'string' ? (shape.possible!.get(named) ?? null) : shape.first;
    if (type === null) return fail(walk);
  }
  const plan = objectPlan(walk.plan, shape.selection!, type);
  return plan === failed ? fail(walk) : completeObject(walk, plan, value as Record<string, unknown>);
}
