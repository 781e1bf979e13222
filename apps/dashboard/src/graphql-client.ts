/** The dashboard's only way to the service: GraphQL over HTTP and graphql-ws (graphql-transport-ws). */

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

export async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as GraphqlResponse<T>;
  if (body.errors && body.errors.length > 0) throw new GraphqlRequestError(body.errors[0].extensions?.code ?? 'INTERNAL', body.errors[0].message);
  if (!body.data) throw new GraphqlRequestError('INTERNAL', 'Empty GraphQL response');
  return body.data;
}

type Message = { type: string; id?: string; payload?: { data?: unknown } };

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
    socket.onopen = (): void => this.send({ type: 'connection_init' });
    socket.onmessage = (event: MessageEvent<string>): void => {
      const message = JSON.parse(event.data) as Message;
      if (message.type === 'connection_ack') {
        this.retryMs = 500;
        this.onState(true);
        for (const [id, sub] of this.subscriptions) this.send({ id, type: 'subscribe', payload: { query: sub.query, variables: sub.variables } as never });
      } else if (message.type === 'ping') this.send({ type: 'pong' });
      else if (message.type === 'next' && message.id) this.subscriptions.get(message.id)?.onData(message.payload?.data);
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
