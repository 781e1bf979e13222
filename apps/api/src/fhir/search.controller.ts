import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError } from '@brixia/common';
import { searchDefinition, wantsStrictHandling } from '@brixia/fhir';
import { searchResources } from '@brixia/scoring';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';
import { sendFhir } from '../infrastructure/fhir-response';

/** The query string as name/value pairs, repeats kept (Express's parser turns repeats into arrays and `a[b]` into objects). */
export function queryPairs(request: Request): Array<[string, string]> {
  return [...new URL(request.originalUrl, 'http://localhost').searchParams.entries()];
}

function searchableType(type: string): string {
  if (!searchDefinition(type)) throw new AppError('RESOURCE.NOT_FOUND', `${type} is not searchable here`);
  return type;
}

/**
 * Type-level search, `GET [base]/[type]?…` and `POST [base]/[type]/_search` (form body), for every
 * type of the search registry. Registered after the specific routes so it never shadows them.
 */
@Controller('fhir')
export class FhirSearchController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Get(':type')
  async search(@Param('type') type: string, @Headers('prefer') prefer: string | undefined, @Req() request: Request, @Res() response: Response): Promise<void> {
    const bundle = await searchResources(this.runtime.scoring, { resourceType: searchableType(type), parameters: queryPairs(request), strict: wantsStrictHandling(prefer) });
    sendFhir(response, 200, bundle);
  }

  @Post(':type/_search')
  @HttpCode(200)
  async searchByPost(@Param('type') type: string, @Body() body: unknown, @Headers('prefer') prefer: string | undefined, @Req() request: Request, @Res() response: Response): Promise<void> {
    const contentType = String(request.headers['content-type'] ?? '');
    if (!/^application\/x-www-form-urlencoded/i.test(contentType)) {
      throw new AppError('REQUEST.UNSUPPORTED_MEDIA_TYPE', 'POST _search takes an application/x-www-form-urlencoded body');
    }
    // Parameters may come in the URL and in the body; both count (http://hl7.org/fhir/R4/search.html#Introduction).
    const form = typeof body === 'string' ? [...new URLSearchParams(body).entries()] : [];
    const bundle = await searchResources(this.runtime.scoring, { resourceType: searchableType(type), parameters: [...queryPairs(request), ...form], strict: wantsStrictHandling(prefer) });
    sendFhir(response, 200, bundle);
  }
}
