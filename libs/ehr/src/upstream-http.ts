import { Agent, type Dispatcher } from 'undici';
import { AppError } from '@brixia/common';
import type { UrlAllowList } from './url-allow-list';

/** Bounds on every call to an EHR or PACS: a slow or huge answer must not hold a worker or fill memory. */
export interface UpstreamLimits {
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

/** An answer read completely, within the size limit. */
export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

/** `fetch` restricted to the allow-list, without redirects, bounded in time and size. */
export type UpstreamFetch = (url: string, init?: { readonly method?: string; readonly headers?: Readonly<Record<string, string>>; readonly body?: string }) => Promise<UpstreamResponse>;

/**
 * An undici dispatcher that aborts answers over `maxResponseBytes` (undici `maxResponseSize`) and slow
 * servers; passed as fetch's `dispatcher` so libraries that call the global fetch (fhir-kit-client) obey it.
 */
export function limitedDispatcher(limits: UpstreamLimits): Dispatcher {
  return new Agent({
    maxResponseSize: limits.maxResponseBytes,
    headersTimeout: limits.timeoutMs,
    bodyTimeout: limits.timeoutMs,
    connect: { timeout: Math.min(limits.timeoutMs, 10_000) },
  });
}

/**
 * Wraps a dispatcher for one request and remembers whether undici aborted it for exceeding
 * `maxResponseSize`. fetch reports that as a bare TypeError('terminated') whose `cause` is dropped
 * when the error comes from another realm (Jest's VM), so the cause chain alone cannot be trusted.
 */
export function observeOversize(inner: Dispatcher): { readonly dispatcher: Dispatcher; exceeded(): boolean } {
  let exceeded = false;
  const dispatcher = Object.create(inner) as Dispatcher;
  dispatcher.dispatch = (options, handler) =>
    inner.dispatch(
      options,
      new Proxy(handler, {
        get(target, property) {
          if (property === 'onError') {
            return (error: Error) => {
              if ((error as { code?: unknown }).code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') exceeded = true;
              return target.onError?.(error);
            };
          }
          const value = Reflect.get(target, property, target) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
    );
  return { dispatcher, exceeded: () => exceeded };
}

/** The AppError for an upstream HTTP status that is not success; `what` names the peer ("EHR", "PACS"). */
export function upstreamStatusError(status: number, what: string): AppError {
  const details = { upstreamStatus: status };
  if (status === 401 || status === 403) return new AppError('UPSTREAM.UNAUTHORIZED', `The ${what} refused this service's credentials (HTTP ${status})`, { details });
  if (status === 404 || status === 410) return new AppError('RESOURCE.NOT_FOUND', `The ${what} does not hold the requested resource (HTTP ${status})`, { details });
  if (status >= 300 && status < 400) return new AppError('UPSTREAM.INVALID_RESPONSE', `The ${what} answered with a redirect (HTTP ${status}); redirects are not followed`, { details });
  if (status === 408 || status === 429 || status >= 500) return new AppError('UPSTREAM.UNAVAILABLE', `The ${what} is unavailable (HTTP ${status})`, { details });
  return new AppError('UPSTREAM.INVALID_RESPONSE', `The ${what} refused the request (HTTP ${status})`, { details });
}

/** Maps what fetch throws (refused connection, timeout, size limit) to an AppError. */
export function upstreamFailure(error: unknown, what: string): AppError {
  if (error instanceof AppError) return error;
  const codes = causeCodes(error);
  if (codes.includes('UND_ERR_RES_EXCEEDED_MAX_SIZE')) return new AppError('UPSTREAM.TOO_LARGE', `The ${what}'s answer exceeds the configured size limit`, { cause: error });
  return new AppError('UPSTREAM.UNAVAILABLE', `The ${what} could not be reached`, { cause: error });
}

function causeCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let current = error, depth = 0; current && depth < 6; depth++) {
    const value = current as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof value.code === 'string') codes.push(value.code);
    if (typeof value.name === 'string') codes.push(value.name);
    current = value.cause;
  }
  return codes;
}

/** Reads a body chunk by chunk and stops at `maxBytes` (Content-Length may be absent or lie). */
export async function readLimitedBody(response: Response, maxBytes: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new AppError('UPSTREAM.TOO_LARGE', `The ${what}'s answer exceeds the configured size limit`);
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new AppError('UPSTREAM.TOO_LARGE', `The ${what}'s answer exceeds the configured size limit`);
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return Buffer.concat(chunks, total);
}

/**
 * A fetch for one kind of peer: the URL must match the allow-list, the base's headers (credentials)
 * are added, redirects are answered as errors rather than followed (a redirect could leave the
 * allow-list), and time and size are bounded. Non-success statuses are returned for the caller to map.
 */
export function createUpstreamFetch<T>(options: {
  readonly allowList: UrlAllowList<T>;
  readonly limits: UpstreamLimits;
  readonly what: string;
  readonly headersFor?: (base: T) => Promise<Readonly<Record<string, string>>>;
}): UpstreamFetch {
  // No maxResponseSize here: readLimitedBody enforces the limit and says so clearly.
  const dispatcher = new Agent({ headersTimeout: options.limits.timeoutMs, bodyTimeout: options.limits.timeoutMs, connect: { timeout: Math.min(options.limits.timeoutMs, 10_000) } });
  return async (url, init = {}) => {
    const matched = options.allowList.require(url, `${options.what} URL`);
    const auth = options.headersFor ? await options.headersFor(matched.base.value) : {};
    let response: Response;
    try {
      response = await fetch(matched.url, {
        method: init.method ?? 'GET',
        headers: { ...init.headers, ...auth },
        body: init.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.limits.timeoutMs),
        dispatcher,
      } as RequestInit);
    } catch (error) {
      throw upstreamFailure(error, options.what);
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => undefined);
      throw upstreamStatusError(response.status, options.what);
    }
    try {
      const body = await readLimitedBody(response, options.limits.maxResponseBytes, options.what);
      return { status: response.status, headers: response.headers, body };
    } catch (error) {
      throw upstreamFailure(error, options.what);
    }
  };
}
