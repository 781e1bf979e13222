import { SetMetadata, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Request, Response } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { from, type Observable, switchMap } from 'rxjs';
import { AppError } from '@brixia/common';
import { principalOf } from '../audit/principal';
import type { GraphqlContext } from '../graphql/monitoring-loaders';

/** Budgets: `scoring` = uploads, `$brixia-score`, requestAssessment (a model run each); `occlusion` = explainByOcclusion (one run per super-pixel). */
export type RateBudget = 'scoring' | 'occlusion';

const RATE_BUDGET = 'brixia:rate-budget';

/** Marks a handler or resolver as spending one unit of a per-client budget. */
export const RateLimited = (budget: RateBudget): MethodDecorator => SetMetadata(RATE_BUDGET, budget);

/**
 * Per-client rate limits (rate-limiter-flexible, in process memory): keyed by the principal's
 * client id when the request is authenticated, else by source address. Runs after guards, so the
 * principal is known; each GraphQL alias of a limited field spends its own unit. Over budget →
 * REQUEST.RATE_LIMITED (429) with Retry-After (set here for REST, by the GraphQL response plugin).
 */
export class RateLimitInterceptor implements NestInterceptor {
  private readonly limiters: Record<RateBudget, RateLimiterMemory>;

  constructor(
    private readonly reflector: Reflector,
    limits: { readonly scoringPerMinute: number; readonly occlusionPerHour: number },
  ) {
    this.limiters = {
      scoring: new RateLimiterMemory({ keyPrefix: 'scoring', points: limits.scoringPerMinute, duration: 60 }),
      occlusion: new RateLimiterMemory({ keyPrefix: 'occlusion', points: limits.occlusionPerHour, duration: 3600 }),
    };
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const budget = this.reflector.get<RateBudget | undefined>(RATE_BUDGET, context.getHandler());
    if (!budget) return next.handle();
    const isGraphql = context.getType<string>() === 'graphql';
    const request = isGraphql ? GqlExecutionContext.create(context).getContext<GraphqlContext>().req : context.switchToHttp().getRequest<Request>();
    // Per client and, for a client acting for people, per user: one busy ward does not throttle another.
    const principal = request ? principalOf(request) : undefined;
    const key = principal ? `${principal.clientId}|${principal.fhirUser ?? principal.subject}` : `ip:${request?.ip ?? 'unknown'}`;
    return from(this.spend(budget, key, isGraphql ? undefined : context.switchToHttp().getResponse<Response>())).pipe(switchMap(() => next.handle()));
  }

  private async spend(budget: RateBudget, key: string, response: Response | undefined): Promise<void> {
    try {
      await this.limiters[budget].consume(key);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      response?.setHeader('Retry-After', String(retryAfterSeconds));
      throw new AppError('REQUEST.RATE_LIMITED', `Too many ${budget} requests from this client; retry in ${retryAfterSeconds} s`, { details: { retryAfterSeconds } });
    }
  }
}
