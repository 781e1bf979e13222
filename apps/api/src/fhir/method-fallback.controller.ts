import { All, Controller, Inject, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError } from '@brixia/common';
import { allowedMethods, type InteractionPath } from '@brixia/fhir';
import { APP_CONFIG } from '../infrastructure/tokens';
import { AnyValidToken } from '../auth/access.decorator';
import type { AppConfig } from '../config';

/**
 * Registered last: a request no FHIR route took. A path this server serves with another method is
 * a 405 with `Allow` (http://hl7.org/fhir/R4/http.html: PUT, PATCH, DELETE, POST on instances,
 * batch/transaction), derived from the same table as the CapabilityStatement; anything else a 404.
 * It serves nothing, so any valid token may learn the allowed methods (an anonymous caller gets the 401 first).
 */
@AnyValidToken()
@Controller('fhir')
export class FhirMethodFallbackController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @All()
  system(@Req() request: Request, @Res() response: Response): void {
    // batch and transaction (POST [base]) are not supported; nothing else is served at the base.
    this.refuse(request, response, []);
  }

  @All(':type')
  type(@Param('type') type: string, @Req() request: Request, @Res() response: Response): void {
    this.answer(request, response, { kind: 'type', type });
  }

  @All(':type/:second')
  typeOrInstance(@Param('type') type: string, @Param('second') second: string, @Req() request: Request, @Res() response: Response): void {
    if (second === '_search') return this.answer(request, response, { kind: 'search', type });
    if (second === '_history') return this.answer(request, response, { kind: 'history', type, level: 'type' });
    if (second.startsWith('$')) return this.answer(request, response, { kind: 'operation', type, name: second.slice(1), level: 'type' });
    this.answer(request, response, { kind: 'instance', type });
  }

  @All(':type/:id/:third')
  instancePath(@Param('type') type: string, @Param('third') third: string, @Req() request: Request, @Res() response: Response): void {
    if (third === '_history') return this.answer(request, response, { kind: 'history', type, level: 'instance' });
    if (third.startsWith('$')) return this.answer(request, response, { kind: 'operation', type, name: third.slice(1), level: 'instance' });
    throw new AppError('RESOURCE.NOT_FOUND', 'No such resource or route');
  }

  @All(':type/:id/_history/:versionId')
  version(@Param('type') type: string, @Req() request: Request, @Res() response: Response): void {
    this.answer(request, response, { kind: 'vread', type });
  }

  private answer(request: Request, response: Response, path: InteractionPath): void {
    const allowed = allowedMethods(this.config.fhir, path);
    if (allowed === undefined || allowed.includes(request.method) || (request.method === 'HEAD' && allowed.includes('GET'))) {
      throw new AppError('RESOURCE.NOT_FOUND', 'No such resource or route');
    }
    this.refuse(request, response, allowed);
  }

  private refuse(request: Request, response: Response, allowed: readonly string[]): void {
    refuseMethod(request, response, allowed);
  }
}

/** Sets `Allow` and throws the 405 (the exception filter writes the OperationOutcome). */
export function refuseMethod(request: Request, response: Response, allowed: readonly string[]): never {
  response.setHeader('Allow', allowed.join(', '));
  throw new AppError('REQUEST.METHOD_NOT_ALLOWED', `${request.method} is not supported here${allowed.length > 0 ? `; allowed: ${allowed.join(', ')}` : ''}`);
}
