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
