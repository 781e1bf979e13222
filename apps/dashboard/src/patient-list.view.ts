import { h, formatDate, scoreBadge } from './dom.js';
import { graphql } from './graphql-client.js';

interface PatientRow {
  id: string;
  latestScore: number;
  latestAcquiredAt: string;
  trend: string;
  alertState: string;
  studyCount: number;
  activeAlerts: Array<{ message: string; severity: string }>;
}
interface ListData {
  patients: { edges: Array<{ node: PatientRow }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const LIST = `query Patients($first: Int!, $after: String, $filter: PatientFilterInput) {
  patients(first: $first, after: $after, filter: $filter) {
    edges { node { id latestScore latestAcquiredAt trend alertState studyCount activeAlerts { message severity } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const TREND_TEXT: Record<string, string> = { WORSENING: '↑ worsening', IMPROVING: '↓ improving', STABLE: '→ stable', UNKNOWN: '· one study' };

/** Patient list, sorted by the service: highest latest score first, then worsening first. */
export interface PatientListState {
  readonly trend: string;
  readonly alertsOnly: boolean;
  /** Start of a patient id; empty for all. */
  readonly search?: string;
  /** Lowest latest score shown (0 = all). */
  readonly minScore?: number;
}

export async function renderPatientList(root: HTMLElement, state: PatientListState): Promise<void> {
  const filter: Record<string, unknown> = {};
  if (state.trend) filter['trends'] = [state.trend];
  if (state.alertsOnly) filter['alertState'] = 'ACTIVE';
  if (state.search) filter['patientIdPrefix'] = state.search;
  if (state.minScore) filter['minLatestScore'] = state.minScore;
  const rows: PatientRow[] = [];
  let after: string | null = null;
  const body = h('tbody');
  const more = h('button', { 'data-testid': 'more' }, 'More');
  const count = h('p', { 'data-testid': 'list-count' });
  const load = async (): Promise<void> => {
    const data: ListData = await graphql<ListData>(LIST, { first: 25, after, filter });
    rows.push(...data.patients.edges.map((edge) => edge.node));
    after = data.patients.pageInfo.endCursor;
    more.hidden = !data.patients.pageInfo.hasNextPage;
    body.replaceChildren(...rows.map(row));
    count.textContent = rows.length === 0 ? 'No patient matches.' : `${rows.length} shown${more.hidden ? '' : ' — more below'}`;
  };
  more.addEventListener('click', () => void load());
  const trendSelect = h('select', { 'data-testid': 'trend-filter' }, h('option', { value: '' }, 'all trends'), ...Object.keys(TREND_TEXT).map((t) => h('option', { value: t, selected: t === state.trend }, TREND_TEXT[t])));
  trendSelect.addEventListener('change', () => void renderPatientList(root, { ...state, trend: (trendSelect as HTMLSelectElement).value }));
  const alertsBox = h('input', { type: 'checkbox', checked: state.alertsOnly, 'data-testid': 'alerts-filter' });
  alertsBox.addEventListener('change', () => void renderPatientList(root, { ...state, alertsOnly: (alertsBox as HTMLInputElement).checked }));
  const search = h('input', { type: 'search', value: state.search ?? '', placeholder: 'patient id starts with…', 'data-testid': 'patient-search', 'aria-label': 'search by patient id' }) as HTMLInputElement;
  const searchForm = h('form', { class: 'inline', 'data-testid': 'patient-search-form' }, search, h('button', { type: 'submit' }, 'Search'));
  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    // Only FHIR id characters reach the query (the service refuses others).
    void renderPatientList(root, { ...state, search: search.value.trim().replace(/[^A-Za-z0-9\-.]/g, '') });
  });
  const scoreSelect = h(
    'select',
    { 'data-testid': 'score-filter', 'aria-label': 'lowest latest score' },
    ...[0, 4, 8, 12].map((min) => h('option', { value: min, selected: (state.minScore ?? 0) === min }, min === 0 ? 'any score' : `score ≥ ${min}`)),
  );
  scoreSelect.addEventListener('change', () => void renderPatientList(root, { ...state, minScore: Number((scoreSelect as HTMLSelectElement).value) }));
  await load();
  root.replaceChildren(
    h('h1', {}, 'Patients'),
    h('p', { class: 'filters' }, searchForm, ' ', trendSelect, ' ', scoreSelect, ' ', h('label', {}, alertsBox, ' with active alerts only')),
    count,
    h('table', { 'data-testid': 'patient-list' }, h('thead', {}, h('tr', {}, ...['Patient', 'Latest', 'Trend', 'Alerts', 'Studies', 'Last study'].map((t) => h('th', {}, t)))), body),
    more,
  );
}

function row(patient: PatientRow): HTMLElement {
  const alerts = patient.activeAlerts.map((a) => a.message).join('; ');
  return h(
    'tr',
    { 'data-testid': 'patient-row', 'data-patient': patient.id },
    h('td', {}, h('a', { href: `#/patients/${encodeURIComponent(patient.id)}` }, patient.id)),
    h('td', {}, scoreBadge(patient.latestScore)),
    h('td', { class: `trend-${patient.trend.toLowerCase()}` }, TREND_TEXT[patient.trend] ?? patient.trend),
    h('td', { class: patient.alertState === 'ACTIVE' ? 'alert-active' : '', title: alerts }, patient.alertState === 'ACTIVE' ? `${patient.activeAlerts.length} active` : '—'),
    h('td', {}, String(patient.studyCount)),
    h('td', {}, formatDate(patient.latestAcquiredAt)),
  );
}
