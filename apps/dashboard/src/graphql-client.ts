/** The dashboard's only way to the service: GraphQL over HTTP and graphql-ws (graphql-transport-ws). */
import { currentAccessToken, refresh, signIn } from './auth.js';

/** A GraphQL error with the service's typed code (extensions.code from the ERROR_TABLE). */
export class GraphqlRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface GraphqlResponse<T> {
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/** Authorization header of the signed-in user. */
function authorization(): Record<string, string> {
  const token = currentAccessToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** fetch with the access token; one refresh (then a new sign-in) when the service answers 401. */
async function authorizedFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const send = (): Promise<Response> => fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), ...authorization() } });
  let response = await send();
  if (response.status === 401) {
    if (!(await refresh())) await signIn();
    response = await send();
  }
  return response;
}

/** Images need the token too: fetched, then shown from an object URL (an <img src> sends no header). */
export async function showImage(image: HTMLImageElement, url: string | undefined | null): Promise<void> {
  if (!url) return;
  const response = await authorizedFetch(url, { headers: { accept: 'image/png' } });
  if (!response.ok) return;
  const previous = image.src;
  image.src = URL.createObjectURL(await response.blob());
  if (previous.startsWith('blob:')) URL.revokeObjectURL(previous);
}

export async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await authorizedFetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as GraphqlResponse<T>;
  if (body.errors && body.errors.length > 0) throw new GraphqlRequestError(body.errors[0].extensions?.code ?? 'INTERNAL', body.errors[0].message);
  if (!body.data) throw new GraphqlRequestError('INTERNAL', 'Empty GraphQL response');
  return body.data;
}

type Message = { type: string; id?: string; payload?: { data?: unknown } | Record<string, string> };

/**
 * Minimal graphql-transport-ws client (https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md):
 * connection_init → connection_ack → subscribe; answers pings; reconnects with backoff.
 */
export class LiveConnection {
  private socket?: WebSocket;
  /** The page's live connection (main.ts opens one). */
  static current: LiveConnection | undefined;
  private readonly subscriptions = new Map<string, { query: string; onData: (data: unknown) => void; variables?: Record<string, unknown> }>();
  private nextId = 1;
  private retryMs = 500;

  constructor(private readonly onState: (connected: boolean) => void) {
    LiveConnection.current = this;
    this.connect();
  }

  /** Starts a subscription (again after each reconnect); returns the function that stops it. */
  subscribe(query: string, onData: (data: unknown) => void, variables?: Record<string, unknown>): () => void {
    const id = String(this.nextId++);
    this.subscriptions.set(id, { query, onData, variables });
    if (this.socket?.readyState === WebSocket.OPEN) this.send({ id, type: 'subscribe', payload: { query, variables } as never });
    return () => {
      this.subscriptions.delete(id);
      if (this.socket?.readyState === WebSocket.OPEN) this.send({ id, type: 'complete' });
    };
  }

  private connect(): void {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
    const socket = new WebSocket(url, 'graphql-transport-ws');
    this.socket = socket;
    // Browsers cannot set headers on a WebSocket: the token travels in connection_init.
    socket.onopen = (): void => this.send({ type: 'connection_init', payload: { Authorization: `Bearer ${currentAccessToken() ?? ''}` } });
    socket.onmessage = (event: MessageEvent<string>): void => {
      const message = JSON.parse(event.data) as Message;
      if (message.type === 'connection_ack') {
        this.retryMs = 500;
        this.onState(true);
        for (const [id, sub] of this.subscriptions) this.send({ id, type: 'subscribe', payload: { query: sub.query, variables: sub.variables } as never });
      } else if (message.type === 'ping') this.send({ type: 'pong' });
      else if (message.type === 'next' && message.id) this.subscriptions.get(message.id)?.onData((message.payload as { data?: unknown } | undefined)?.data);
    };
    socket.onclose = (): void => {
      this.onState(false);
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
    };
  }

  private send(message: Message): void {
    this.socket?.send(JSON.stringify(message));
  }
}

/** The page's live connection (main.ts opens one), for views that follow long work. */
export function liveConnection(): LiveConnection | undefined {
  return LiveConnection.current;
}
