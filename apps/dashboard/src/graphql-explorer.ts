/**
 * The GraphQL explorer (GraphiQL at /graphql, opened in a browser): signs in like the dashboard (auth.ts:
 * OpenID Connect code + PKCE against the service's issuer, tokens in memory only) and sends the access token
 * with every query, so nothing has to be typed into its Headers editor. GraphiQL, React and ReactDOM are
 * globals from their npm UMD bundles (served by the API; no CDN).
 */
import { completeSignIn, currentAccessToken, justSignedOut, refresh, signedInUser, signIn, signOut, useRedirectPath } from './auth.js';
import { h } from './dom.js';

/** This page's address: the redirect URI registered for the dashboard client at the issuer. */
const EXPLORER_PATH = '/graphql';

const DEFAULT_QUERY = `# Brixia monitoring schema (research use only, not for diagnosis). Run with the ▶ button.
# Signed in: every query carries your access token. Examples: README "Serial monitoring".
{
  patients(first: 10) {
    edges { node { id latestScore latestAcquiredAt trend alertState } }
  }
}
`;

const bar = document.getElementById('explorer-bar') as HTMLElement;
const root = document.getElementById('graphiql') as HTMLElement;

/**
 * fetch with the signed-in user's token (a header typed into the Headers editor wins). A 401 means the
 * token expired or was revoked: refresh once, else sign in again.
 */
async function authorisedFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const send = (): Promise<Response> => {
    const headers = new Headers(init.headers);
    const token = currentAccessToken();
    if (token && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };
  const response = await send();
  if (response.status !== 401) return response;
  if (await refresh()) return send();
  return signIn();
}

useRedirectPath(EXPLORER_PATH);
if (!(await completeSignIn())) {
  if (justSignedOut()) {
    const button = h('button', { 'data-testid': 'sign-in' }, 'Sign in');
    button.addEventListener('click', () => void signIn());
    root.replaceChildren(h('p', {}, 'Signed out. Sign in to run queries.'), button);
    // Nothing below runs without a token: the module stops here until the user signs in.
    throw new Error('signed out');
  }
  await signIn();
}

const me = signedInUser();
const signOutButton = h('button', { 'data-testid': 'sign-out' }, 'Sign out');
signOutButton.addEventListener('click', () => void signOut());
bar.append(h('span', { class: 'user' }, h('span', { 'data-testid': 'signed-in-user' }, me ? `${me.name} (${me.fhirUser})` : ''), ' ', signOutButton));

const fetcher = GraphiQL.createFetcher({ url: new URL(EXPLORER_PATH, location.href).toString(), fetch: authorisedFetch });
ReactDOM.createRoot(root).render(React.createElement(GraphiQL, { fetcher, defaultQuery: DEFAULT_QUERY, headerEditorEnabled: true, shouldPersistHeaders: false }));
