import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError, toAppError, type ErrorCode, type Logger } from '@brixia/common';
import { operationOutcomeFromError } from '@brixia/fhir';
import { bearerChallenge } from '../auth/authentication.middleware';

const HTTP_STATUS_CODES: Record<number, ErrorCode> = {
  400: 'REQUEST.INVALID',
  404: 'RESOURCE.NOT_FOUND',
  406: 'REQUEST.NOT_ACCEPTABLE',
  409: 'RESOURCE.VERSION_CONFLICT',
  413: 'REQUEST.TOO_LARGE',
  415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
};

/**
 * Every error leaves as a FHIR OperationOutcome (application/fhir+json) with the request id.
 * Client mistakes keep their 4xx; unknown errors are a 500 whose stack is logged, never sent.
 */
@Catch()
export class FhirExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    /** The protection space named in WWW-Authenticate challenges. */
    private readonly realm = '',
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const requestId = String(request.headers['x-request-id'] ?? '');
    const error = toAppError(this.fromHttpException(exception));
    const { status, outcome } = operationOutcomeFromError(error, requestId || undefined);
    if (status >= 500) {
      this.logger.error({ requestId, code: error.code, err: describe(exception) }, 'request failed');
    } else {
      this.logger.info({ requestId, code: error.code, status, path: request.path }, 'request refused');
    }
    if (response.headersSent) return;
    if (error.code === 'AUTH.TOKEN_INVALID') response.setHeader('WWW-Authenticate', bearerChallenge(this.realm, 'invalid_token', error.message));
    if (error.code === 'AUTH.SCOPE_INSUFFICIENT' || error.code === 'AUTH.USER_REQUIRED') response.setHeader('WWW-Authenticate', bearerChallenge(this.realm, 'insufficient_scope', error.message));
    response.status(status).type('application/fhir+json').send(JSON.stringify(outcome));
  }

  private fromHttpException(exception: unknown): unknown {
    if (exception instanceof AppError || !(exception instanceof Error)) return exception;
    const status = exception instanceof HttpException ? exception.getStatus() : exposedClientStatus(exception);
    if (status === undefined) return exception;
    const code = HTTP_STATUS_CODES[status];
    if (!code) return exception;
    const message = status === 400 && /JSON|Unexpected token|position \d+/i.test(exception.message)
      ? 'Malformed JSON body'
      : status === 404
        ? 'No such resource or route'
        : status === 413
          ? 'The request body is larger than the configured limit'
          : exception.message;
    return new AppError(code, message, { cause: exception });
  }
}

/**
 * body-parser's refusals (http-errors: body over the limit, unsupported charset, broken gzip) reach the
 * filter as plain errors flagged `expose` with a 4xx `status`; they are the client's mistake.
 */
function exposedClientStatus(exception: Error): number | undefined {
  const { expose, status } = exception as Error & { expose?: unknown; status?: unknown };
  return expose === true && typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function describe(exception: unknown): string {
  if (exception instanceof AppError && exception.cause instanceof Error) return exception.cause.stack ?? String(exception.cause);
  return exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
}
