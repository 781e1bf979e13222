import { createParamDecorator, SetMetadata, type CustomDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { AccessRequirement, Interaction, Principal } from '@brixia/auth';
import { AppError } from '@brixia/common';

/**
 * What a handler needs: a SMART scope (optionally also a user identity), the scope on the resource
 * type named by a route parameter (generic `[type]` routes: search, history), or only a valid token.
 */
export type AccessRule = 'authenticated' | (AccessRequirement & { readonly user?: boolean }) | { readonly resourceTypeParam: string; readonly interaction: Interaction };

export const ACCESS_RULE = Symbol('ACCESS_RULE');

/** Declares the handler's access rule; a handler without one is refused (auth/access.guard.ts). */
export function Access(resourceType: string, interaction: Interaction, options: { user?: boolean } = {}): CustomDecorator<symbol> {
  return SetMetadata(ACCESS_RULE, { resourceType, interaction, ...options } satisfies AccessRule);
}

/** Declares the rule of a generic route: the interaction on the resource type in route parameter `param`. */
export function AccessToRouteType(interaction: Interaction, param = 'type'): CustomDecorator<symbol> {
  return SetMetadata(ACCESS_RULE, { resourceTypeParam: param, interaction } satisfies AccessRule);
}

/** A valid token of any scope (conformance resources: CodeSystem, OperationDefinition). */
export function AnyValidToken(): CustomDecorator<symbol> {
  return SetMetadata(ACCESS_RULE, 'authenticated' satisfies AccessRule);
}

/** Public route (must also be on the public list of auth/public-routes.ts, which runs first). */
export const PUBLIC_ROUTE = Symbol('PUBLIC_ROUTE');
export function PublicRoute(): CustomDecorator<symbol> {
  return SetMetadata(PUBLIC_ROUTE, true);
}

/** The principal of an HTTP request or of a GraphQL operation (HTTP or graphql-ws). */
export function principalOfContext(context: ExecutionContext): Principal | undefined {
  if (context.getType<string>() === 'graphql') return GqlExecutionContext.create(context).getContext<{ principal?: Principal }>().principal;
  return context.switchToHttp().getRequest<{ principal?: Principal }>().principal;
}

/** Handler parameter: the verified principal (the guard has already refused requests without one). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = principalOfContext(context);
  if (!principal) throw new AppError('AUTH.TOKEN_INVALID', 'A Bearer access token is required');
  return principal;
});
