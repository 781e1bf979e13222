import { completeSignIn, justSignedOut, signedInUser, signIn, signOut } from './auth.js';
import { h } from './dom.js';
import { GraphqlRequestError, LiveConnection } from './graphql-client.js';
import { renderPatientList } from './patient-list.view.js';
import { renderPatientPage } from './patient-page.view.js';
import { renderStudyView } from './study-view.js';

const app = document.getElementById('app') as HTMLElement;
const live = document.getElementById('live') as HTMLElement;
const feed = document.getElementById('feed') as HTMLElement;

/** Hash routes: #/ patients, #/patients/<id>, #/assessments/<observation id>. */
async function route(): Promise<void> {
  const [, kind, id] = location.hash.replace(/^#/, '').split('/');
  try {
    if (kind === 'patients' && id) await renderPatientPage(app, decodeURIComponent(id));
    else if (kind === 'assessments' && id) await renderStudyView(app, decodeURIComponent(id));
    else await renderPatientList(app, { trend: '', alertsOnly: false });
  } catch (error) {
    const text = error instanceof GraphqlRequestError ? `${error.code}: ${error.message}` : String(error);
    app.replaceChildren(h('p', { class: 'error', 'data-testid': 'error' }, text));
  }
}

const user = document.getElementById('user') as HTMLElement;

/** The login page: shown after sign-out (otherwise the dashboard goes straight to the issuer). */
function renderSignIn(): void {
  const button = h('button', { 'data-testid': 'sign-in' }, 'Sign in');
  button.addEventListener('click', () => void signIn());
  app.replaceChildren(h('h1', {}, 'Brixia serial monitoring'), h('p', {}, 'Signed out. Sign in with your clinician account to see patients.'), button);
}

if (!(await completeSignIn())) {
  if (justSignedOut()) {
    renderSignIn();
    // Nothing below runs without a token: the module stops here until the user signs in.
    throw new Error('signed out');
  }
  await signIn();
}
const me = signedInUser();
const signOutButton = h('button', { 'data-testid': 'sign-out' }, 'Sign out');
signOutButton.addEventListener('click', () => void signOut());
user.replaceChildren(h('span', { 'data-testid': 'signed-in-user' }, me ? `${me.name} (${me.fhirUser})` : ''), ' ', signOutButton);

const connection = new LiveConnection((connected) => {
  live.textContent = connected ? 'live' : 'reconnecting…';
  live.classList.toggle('on', connected);
});
// Live updates: new results refresh the current page; alerts go to the feed.
// A study view is left alone (it may hold a review being typed); lists and patient pages re-read.
connection.subscribe('subscription { assessmentCompleted { patientId observationId global } }', () => {
  if (!location.hash.startsWith('#/assessments/')) void route();
});
connection.subscribe('subscription { alertRaised { patientId message severity } }', (data) => {
  const alert = (data as { alertRaised: { patientId: string; message: string; severity: string } }).alertRaised;
  feed.prepend(h('div', { 'data-testid': 'alert-item' }, h('a', { href: `#/patients/${encodeURIComponent(alert.patientId)}` }, alert.patientId), ` — ${alert.message}`));
});

window.addEventListener('hashchange', () => void route());
void route();
