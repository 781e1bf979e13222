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
 * The explorer's page: GraphiQL from npm, started by the dashboard's `graphql-explorer.js`, which signs
 * in through the issuer (the dashboard's auth module: code + PKCE, tokens in memory) and sends the token
 * with every query. The page itself carries no credentials and no patient data.
 */
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Brixia FHIR — GraphQL explorer</title>
    <link rel="stylesheet" href="${EXPLORER_ASSETS_PATH}/graphiql.css" />
    <link rel="stylesheet" href="/dashboard/graphql-explorer.css" />
  </head>
  <body>
    <header id="explorer-bar" class="explorer-bar"><strong>Brixia GraphQL explorer</strong> <span class="caveat">Research use — not for diagnosis</span></header>
    <div id="graphiql">Signing in…</div>
    <script src="${EXPLORER_ASSETS_PATH}/react.js"></script>
    <script src="${EXPLORER_ASSETS_PATH}/react-dom.js"></script>
    <script src="${EXPLORER_ASSETS_PATH}/graphiql.js"></script>
    <script type="module" src="/dashboard/graphql-explorer.js"></script>
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

/** Serves GraphiQL's and React's files from their npm packages. */
export function graphqlExplorerAssets(request: Request, response: Response, next: NextFunction): void {
  const name = request.path.replace(/^\//, '');
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
