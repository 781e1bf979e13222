// The parts of React 18 and GraphiQL 3 (served as their UMD bundles from npm, globals) that the explorer uses.
interface GraphiqlFetcherOptions {
  url: string;
  fetch: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
}
declare const React: { createElement(component: unknown, props: Record<string, unknown>): unknown };
declare const ReactDOM: { createRoot(element: Element): { render(node: unknown): void } };
declare const GraphiQL: { createFetcher(options: GraphiqlFetcherOptions): unknown };
