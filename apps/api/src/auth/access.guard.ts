import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { practitionerIdOf, scopesGrant } from '@brixia/auth';
import { AppError } from '@brixia/common';
import { ACCESS_RULE, PUBLIC_ROUTE, principalOfContext, type AccessRule } from './access.decorator';

/**
 * Scope check of every handler (REST and GraphQL root fields), deny by default: a handler with no
 * declared rule is refused, so a new route cannot ship open. Authentication ran before (middleware
 * for HTTP, connection_init for graphql-ws).
 */
/** A route parameter of an HTTP request ('' when absent, which no scope grants). */
function routeParam(context: ExecutionContext, name: string): string {
  if (context.getType<string>() !== 'http') return '';
  const value = context.switchToHttp().getRequest<{ params?: Record<string, unknown> }>().params?.[name];
  return typeof value === 'string' ? value : '';
}

@Injectable()
export class AccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const principal = principalOfContext(context);
    if (!principal) throw new AppError('AUTH.TOKEN_INVALID', 'A Bearer access token is required');
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, targets);
    if (!rule) throw new AppError('AUTH.SCOPE_INSUFFICIENT', 'This operation declares no access rule and is refused');
    if (rule === 'authenticated') return true;
    const requirement = 'resourceTypeParam' in rule ? { resourceType: routeParam(context, rule.resourceTypeParam), interaction: rule.interaction } : rule;
    if (!scopesGrant(principal.scopes, requirement, principal.patient !== undefined)) {
      throw new AppError('AUTH.SCOPE_INSUFFICIENT', `The token's scopes do not grant ${requirement.resourceType}.${requirement.interaction}`, { details: { required: `${requirement.resourceType}.${requirement.interaction}` } });
    }
    if ('user' in rule && rule.user && !practitionerIdOf(principal)) throw new AppError('AUTH.USER_REQUIRED', 'This operation records a clinician: the token must name one (fhirUser → Practitioner)');
    return true;
  }
}
