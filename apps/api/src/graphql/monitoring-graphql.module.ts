import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { GraphQLModule, type GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import type { ServerOptions as GraphqlWsServerOptions } from 'graphql-ws';
import type { Principal } from '@brixia/auth';
import type { ResourceServer } from '../auth/resource-server';
import type { Runtime } from '../runtime';
import { runtimeProviders } from '../infrastructure/runtime-providers';
import { AssessmentsResolver } from './assessments.resolver';
import { formatGraphqlError } from './graphql-errors';
import { createLoaders, type GraphqlContext } from './monitoring-loaders';
import { MonitoringSubscriptionsResolver } from './subscriptions.resolver';
import { PatientsResolver } from './patients.resolver';
import { complexityLimitPlugin, depthLimitRule } from './query-limits';
import { graphqlResponsePlugin } from './graphql-response.plugin';
import type { Request } from 'express';
import { newSubscriptionAuditNote, SubscriptionAudit } from '../audit/subscription-audit';

/** The schema is generated in memory (code-first); apps/api/schema.graphql is the committed copy. */
export const GRAPHQL_PATH = '/graphql';

interface ContextSource {
  readonly req?: Request;
  readonly extra?: { principal?: Principal };
}

interface ConnectionInit {
  readonly connectionParams?: Readonly<Record<string, unknown>>;
  readonly extra: unknown;
}

/**
 * graphql-ws authentication: the token travels in the connection_init payload (`Authorization:
 * "Bearer …"` or `authorization`), since browsers cannot set headers on a WebSocket. A missing or
 * invalid token closes the socket (4403) before any subscription starts.
 */
function connectionAuthenticator(server: ResourceServer, runtime: Runtime, audit: SubscriptionAudit): (context: ConnectionInit) => Promise<boolean> {
  return async (context) => {
    const params = context.connectionParams ?? {};
    const header = params['Authorization'] ?? params['authorization'];
    try {
      (context.extra as { principal?: Principal }).principal = await server.authenticate(typeof header === 'string' ? header : undefined);
      return true;
    } catch (error) {
      runtime.logger.info({ code: 'AUTH.TOKEN_INVALID', transport: 'graphql-ws', reason: error instanceof Error ? error.message : String(error) }, 'request refused');
      await audit.connectionRefused(context.extra);
      return false;
    }
  };
}

/** GraphQL over HTTP (POST /graphql) and graphql-ws subscriptions on the same path. */
@Module({})
export class MonitoringGraphqlModule {
  static forRoot(runtime: Runtime, resourceServer: ResourceServer): DynamicModule {
    const limits = runtime.config.graphql;
    const subscriptionAudit = new SubscriptionAudit(runtime.audit, runtime.logger);
    // Every subscription start is audited before its stream is read (onOperation). Nest hands every
    // graphql-ws option to useServer, though its type names only some of them.
    const graphqlWsOptions: GraphQLWsSubscriptionsConfig & Pick<GraphqlWsServerOptions, 'onOperation'> = {
      path: GRAPHQL_PATH,
      onConnect: connectionAuthenticator(resourceServer, runtime, subscriptionAudit),
      onOperation: subscriptionAudit.onOperation,
    };
    return {
      module: MonitoringGraphqlModule,
      imports: [
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          path: GRAPHQL_PATH,
          autoSchemaFile: true,
          sortSchema: true,
          playground: false,
          // Introspection hands out the whole schema; off unless BRIXIA_GRAPHQL_INTROSPECTION=on.
          introspection: limits.introspection,
          includeStacktraceInErrorResponses: false,
          // Our statuses come from graphqlResponsePlugin (429 for rate limits); Nest's reset-to-200 plugin would undo them.
          preserveHttpStatusForExecutionErrors: false,
          formatError: formatGraphqlError(runtime.logger),
          validationRules: [depthLimitRule(limits.maxDepth)],
          plugins: [complexityLimitPlugin(limits.maxComplexity), graphqlResponsePlugin(runtime.audit)],
          // HTTP: the authentication middleware put the principal on the request (audited through it too).
          // graphql-ws: onConnect put it on the connection's `extra`; each subscription gets a note of what it
          // follows, for its AuditEvent (audit/subscription-audit.ts).
          context: (source: ContextSource): GraphqlContext => ({
            loaders: createLoaders(runtime.monitoring.service),
            req: source.req,
            principal: source.req?.principal ?? source.extra?.principal,
            ...(source.extra ? { subscriptionAudit: newSubscriptionAuditNote() } : {}),
          }),
          // The same context factory serves each WebSocket connection; subscription payloads are
          // flat (depth ≤ 2), so the HTTP depth/complexity limits have nothing to bound there.
          subscriptions: { 'graphql-ws': graphqlWsOptions },
        }),
      ],
      providers: [...runtimeProviders(runtime), PatientsResolver, AssessmentsResolver, MonitoringSubscriptionsResolver],
    };
  }
}
