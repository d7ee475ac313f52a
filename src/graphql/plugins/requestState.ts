import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../../context.js';
import { clientErrorCodes } from '../../errors.js';
import { isApolloCallerMistake, maskError } from '../masking.js';
import { scrub, type Logger } from '../../observability/logger.js';

/**
 * Adds the errors of fields that failed alone to the response; records on the request's state (in its context) the operation's name and
 * type, and the codes of the errors sent; logs errors that are masked.
 */
export function requestStatePlugin(logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request, contextValue }) {
      const state = contextValue.request;
      if (state && typeof request.operationName === 'string') state.operationName = request.operationName;
      return {
        async didResolveOperation({ operation, operationName }) {
          if (!state) return;
          if (operation) state.operationType = operation.operation;
          if (operationName) state.operationName = operationName;
        },
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            const code = error.extensions?.code;
            if ((typeof code === 'string' && clientErrorCodes.has(code)) || isApolloCallerMistake(error)) continue;
            const original = error.originalError ?? error;
            logger.error(
              {
                requestId: state?.id,
                path: error.path?.join('.'),
                errorName: original instanceof Error ? original.name : typeof original,
                error: scrub(original instanceof Error ? original.message : String(original)),
              },
              'masked error',
            );
          }
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          // Errors of fields that failed alone (see Context.fieldErrors) join the response.
          const extra = contextValue.fieldErrors?.splice(0) ?? [];
          if (extra.length > 0 && response.body.singleResult.data) {
            const result = response.body.singleResult;
            result.errors = [...(result.errors ?? []), ...extra.map((e) => maskError(e.toJSON()))];
          }
          if (!state) return;
          for (const error of response.body.singleResult.errors ?? []) {
            const code = error.extensions?.code;
            state.errorCodes.push(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
          }
        },
      };
    },
  };
}
