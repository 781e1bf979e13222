import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { TestService } from './service';

/** A GraphQL answer as the e2e tests read it: data typed by the caller, errors with their extensions. */
export interface GqlAnswer<T> {
  data?: T;
  errors?: Array<{ message: string; extensions: Record<string, unknown> }>;
}

/** POSTs a query to /graphql and checks the HTTP status (200 unless said) and the JSON content type. */
export function graphqlClient(service: TestService): <T>(query: string, variables?: Record<string, unknown>, status?: number) => Promise<GqlAnswer<T>> {
  return async <T>(query: string, variables: Record<string, unknown> = {}, status = 200): Promise<GqlAnswer<T>> =>
    (await service.http.post('/graphql').send({ query, variables }).expect('content-type', /json/).expect(status)).body as GqlAnswer<T>;
}

/** Polls `check` until it holds; the bound (60 s) is ≥ 100× what these events take on a loaded machine. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A graphql-ws client of the service (its HTTP server is started on a free port first): with its default token
 * unless `token` says otherwise, and an X-Request-ID on the WebSocket upgrade when `requestId` is given.
 */
export async function graphqlWsClient(service: TestService, options: { readonly token?: string; readonly requestId?: string; readonly lazy?: boolean } = {}): Promise<ReturnType<typeof createClient>> {
  const server = service.app.getHttpServer();
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const headers = options.requestId ? { 'X-Request-ID': options.requestId } : {};
  class WebSocketWithHeaders extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  return createClient({
    url: `ws://127.0.0.1:${port}/graphql`,
    webSocketImpl: WebSocketWithHeaders,
    lazy: options.lazy ?? false,
    retryAttempts: 0,
    connectionParams: { Authorization: `Bearer ${options.token ?? service.token}` },
  });
}
