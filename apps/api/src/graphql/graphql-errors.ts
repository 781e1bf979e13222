import { Catch, type ExceptionFilter } from '@nestjs/common';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ERROR_TABLE, isAppError, type ErrorCode, type Logger } from '@brixia/common';

/** Apollo's own codes for requests that never ran: the client's mistake. */
const CLIENT_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'OPERATION_RESOLUTION_FAILURE']);

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_TABLE, value);
}

/**
 * Resolver-scoped filter: hands errors back to GraphQL (the global FHIR filter writes HTTP
 * OperationOutcomes, which a GraphQL response must not be); formatGraphqlError types them.
 */
@Catch()
export class GraphqlPassThroughFilter implements ExceptionFilter {
  catch(exception: unknown): unknown {
    return exception;
  }
}

/**
 * Every GraphQL error leaves with `extensions.code` from the one ERROR_TABLE (style: same table as
 * FHIR) and never a stack: AppErrors keep code and safe message; GraphQL parse/validation errors
 * are REQUEST.INVALID with graphql-js's message; anything else is INTERNAL, logged with its stack.
 */
export function formatGraphqlError(logger: Logger): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const original = unwrapResolverError(error);
    const base = { message: formatted.message, ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
    if (isAppError(original)) {
      const spec = ERROR_TABLE[original.code];
      return { ...base, message: original.message, extensions: { code: original.code, httpStatus: spec.httpStatus, retryable: spec.retryable, ...(original.details ? { details: original.details } : {}) } };
    }
    // Apollo re-codes validation errors GRAPHQL_VALIDATION_FAILED; our rules' own code is kept underneath.
    const inner = original instanceof GraphQLError && original.originalError instanceof GraphQLError ? original.originalError.extensions['code'] : undefined;
    const code = isErrorCode(inner) ? inner : formatted.extensions?.['code'];
    if (isErrorCode(code)) return { ...base, extensions: { code, httpStatus: ERROR_TABLE[code].httpStatus, retryable: ERROR_TABLE[code].retryable } };
    if ((typeof code === 'string' && CLIENT_CODES.has(code)) || (original instanceof GraphQLError && original.originalError === undefined && !formatted.path)) {
      return { ...base, extensions: { code: 'REQUEST.INVALID', httpStatus: 400, retryable: false } };
    }
    logger.error({ err: original instanceof Error ? (original.stack ?? original.message) : String(original), path: formatted.path }, 'graphql request failed');
    return { ...base, message: 'Internal error', extensions: { code: 'INTERNAL', httpStatus: 500, retryable: ERROR_TABLE.INTERNAL.retryable } };
  };
}

/** A typed GraphQL error for a refusal before execution (limits), with its HTTP status. */
export function refusal(code: ErrorCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: ERROR_TABLE[code].httpStatus } } });
}
