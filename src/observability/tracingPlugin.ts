import type { ApolloServerPlugin } from '@apollo/server';
import { trace, context, type Span, type Tracer } from '@opentelemetry/api';
import { defaultFieldResolver, isObjectType, type GraphQLSchema } from 'graphql';
import { failSpan, SpanKind, startSpan, withSpan } from './tracing.js';
import { scrub } from './logger.js';

/**
 * Names the request's span after its operation ("query RunsPage") with the
 * GraphQL semantic-convention attributes, and marks it failed when the
 * operation sent errors. Added only when tracing is on.
 */
export function tracingPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const span = trace.getSpan(context.active());
      if (!span) return;
      return {
        async didResolveOperation({ operation, operationName }) {
          const type = operation?.operation ?? 'query';
          span.setAttribute('graphql.operation.type', type);
          if (operationName) span.setAttribute('graphql.operation.name', operationName.slice(0, 200));
          span.updateName(operationName ? `${type} ${operationName.slice(0, 200)}` : type);
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          if (errors.length > 0) span.setAttribute('graphql.error.codes', [...new Set(errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))].join(','));
        },
      };
    },
  };
}

/**
 * Wraps the resolvers of root fields (Query, Mutation, and `_entities`) in
 * a span each, active while the field resolves, so the W&B requests a
 * field causes are its children. Nested fields batch their W&B requests
 * through loaders and are not wrapped: one span per field would cost a
 * span per run per field. Done once at start, only when tracing is on.
 */
export function traceRootFields(schema: GraphQLSchema, tracer: Tracer): void {
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    if (!root || !isObjectType(root)) continue;
    for (const field of Object.values(root.getFields())) {
      if (field.name === '_service') continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      const name = `${root.name}.${field.name}`;
      field.resolve = (source, args, ctx, info) => {
        const span: Span = startSpan(tracer, name, SpanKind.INTERNAL, { 'graphql.field.path': info.path.key.toString(), 'graphql.field.name': field.name });
        try {
          const result = withSpan(span, () => resolve(source, args, ctx, info));
          if (result instanceof Promise) {
            return result.then(
              (v: unknown) => {
                span.end();
                return v;
              },
              (error: unknown) => {
                failSpan(span, error instanceof Error ? scrub(error.message) : 'error');
                throw error;
              },
            );
          }
          span.end();
          return result;
        } catch (error) {
          failSpan(span, error instanceof Error ? scrub(error.message) : 'error');
          throw error;
        }
      };
    }
  }
}
