import type { ApolloServerPlugin } from '@apollo/server';
import type { AuditTrail } from '../audit/audit-trail';
import type { GraphqlContext } from './monitoring-loaders';

/**
 * Carries resolver errors to HTTP: an operation refused for its rate limit answers 429 with
 * Retry-After (what REST clients and proxies understand), and any error's status goes on the
 * request's AuditEvent (GraphQL answers most failures with 200, which would read as success).
 */
export function graphqlResponsePlugin(audit: AuditTrail): ApolloServerPlugin<GraphqlContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }): Promise<void> {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors ?? [];
          let status = 0;
          let retryAfter = 0;
          for (const error of errors) {
            const httpStatus = Number(error.extensions?.['httpStatus'] ?? 400);
            status = Math.max(status, httpStatus);
            const details = error.extensions?.['details'] as { retryAfterSeconds?: unknown } | undefined;
            if (error.extensions?.['code'] === 'REQUEST.RATE_LIMITED') retryAfter = Math.max(retryAfter, Number(details?.retryAfterSeconds ?? 1));
          }
          if (retryAfter > 0) {
            response.http.status = 429;
            response.http.headers.set('retry-after', String(retryAfter));
          }
          if (status > 0) audit.noteOutcome(contextValue.req, retryAfter > 0 ? 429 : status);
        },
      };
    },
  };
}
