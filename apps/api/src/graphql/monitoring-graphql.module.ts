import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';
import { AssessmentsResolver } from './assessments.resolver';
import { formatGraphqlError } from './graphql-errors';
import { createLoaders, type GraphqlContext } from './monitoring-loaders';
import { MonitoringSubscriptionsResolver } from './subscriptions.resolver';
import { PatientsResolver } from './patients.resolver';
import { complexityLimitPlugin, depthLimitRule } from './query-limits';
import { graphqlResponsePlugin } from './graphql-response.plugin';
import type { Request } from 'express';

/** The schema is generated in memory (code-first); apps/api/schema.graphql is the committed copy. */
export const GRAPHQL_PATH = '/graphql';

/** GraphQL over HTTP (POST /graphql) and graphql-ws subscriptions on the same path. */
@Module({})
export class MonitoringGraphqlModule {
  static forRoot(runtime: Runtime): DynamicModule {
    const limits = runtime.config.graphql;
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
          context: (input?: { req?: Request }): GraphqlContext => ({ loaders: createLoaders(runtime), req: input?.req }),
          // The same context factory serves each WebSocket connection; subscription payloads are
          // flat (depth ≤ 2), so the HTTP depth/complexity limits have nothing to bound there.
          subscriptions: { 'graphql-ws': { path: GRAPHQL_PATH } },
        }),
      ],
      providers: [{ provide: RUNTIME, useValue: runtime }, PatientsResolver, AssessmentsResolver, MonitoringSubscriptionsResolver],
    };
  }
}
