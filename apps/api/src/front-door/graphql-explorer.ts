import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NextFunction, Request, Response } from 'express';

/** Where the explorer's static files are served (all from npm packages: no CDN). */
export const EXPLORER_ASSETS_PATH = '/graphql-explorer';

/** File name → [package-relative path, content type]; React 18's UMD builds are what GraphiQL 3's bundle expects. */
const ASSETS: Readonly<Record<string, readonly [string, string]>> = {
  'react.js': ['react/umd/react.production.min.js', 'text/javascript; charset=utf-8'],
  'react-dom.js': ['react-dom/umd/react-dom.production.min.js', 'text/javascript; charset=utf-8'],
  'graphiql.js': ['graphiql/graphiql.min.js', 'text/javascript; charset=utf-8'],
  'graphiql.css': ['graphiql/graphiql.min.css', 'text/css; charset=utf-8'],
};

function packageFile(relative: string): string {
  const [pkg, ...rest] = relative.split('/');
  return join(dirname(require.resolve(`${pkg}/package.json`)), ...rest);
}

/**
 * Starts GraphiQL against this service's endpoint. The page carries no credentials: any header a
 * deployment needs (a bearer token) is typed into GraphiQL's Headers editor and not persisted.
 */
const EXPLORER_SCRIPT = `
const root = ReactDOM.createRoot(document.getElementById('graphiql'));
const fetcher = GraphiQL.createFetcher({ url: new URL('/graphql', location.href).toString() });
const defaultQuery = '# Brixia monitoring schema. Research use only, not for diagnosis.\\n' +
  '# Request headers (e.g. {"Authorization": "Bearer <token>"} behind an authorising gateway) go in Headers below.\\n' +
  '{\\n  patients(first: 10) {\\n    edges { node { id latestScore latestAcquiredAt trend alertState } }\\n  }\\n}\\n';
root.render(React.createElement(GraphiQL, {
  fetcher,
  defaultQuery,
  headerEditorEnabled: true,
  shouldPersistHeaders: false,
}));
`;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Brixia FHIR — GraphQL explorer</title>
    <link rel="stylesheet" href="${EXPLORER_ASSETS_PATH}/graphiql.css" />
    <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
  </head>
  <body>
    <div id="graphiql">Loading the GraphQL explorer…</div>
    <script src="${EXPLORER_ASSETS_PATH}/react.js"></script>
    <script src="${EXPLORER_ASSETS_PATH}/react-dom.js"></script>
    <script src="${EXPLORER_ASSETS_PATH}/graphiql.js"></script>
    <script src="${EXPLORER_ASSETS_PATH}/explorer.js"></script>
  </body>
</html>
`;

const cache = new Map<string, Buffer>();

/**
 * A browser opening `/graphql` (GET, HTML accepted, no query) gets GraphiQL; every other request goes on
 * to the GraphQL server unchanged (its CSRF prevention still guards GET queries).
 */
export function graphqlExplorerMiddleware(request: Request, response: Response, next: NextFunction): void {
  const wantsPage = request.method === 'GET' && request.query['query'] === undefined && (request.accepts(['application/json', 'text/html']) === 'text/html');
  if (!wantsPage) {
    next();
    return;
  }
  response.status(200).type('text/html; charset=utf-8').set('Cache-Control', 'no-store').send(PAGE);
}

/** Serves the explorer's script and styles. */
export function graphqlExplorerAssets(request: Request, response: Response, next: NextFunction): void {
  const name = request.path.replace(/^\//, '');
  if (name === 'explorer.js') {
    response.status(200).type('text/javascript; charset=utf-8').send(EXPLORER_SCRIPT);
    return;
  }
  const asset = ASSETS[name];
  if (asset === undefined) {
    next();
    return;
  }
  let body = cache.get(name);
  if (body === undefined) {
    body = readFileSync(packageFile(asset[0]));
    cache.set(name, body);
  }
  response.status(200).type(asset[1]).set('Cache-Control', 'public, max-age=3600').send(body);
}
