import { formatDate, h, scoreBadge, svg } from './dom.js';
import { graphql } from './graphql-client.js';

interface Point {
  observationId: string;
  acquiredAt: string;
  global: number;
  aiGlobal: number | null;
  origin: string;
  status: string;
  superseded: boolean;
  deltaGlobal: number | null;
  zones: Array<{ zone: string; score: number }>;
}
interface PatientData {
  patient: {
    id: string;
    latestScore: number;
    trend: string;
    alertState: string;
    timeline: { trend: string; trendChange: number | null; points: Point[]; alerts: Array<{ message: string; severity: string; acquiredAt: string }> };
  };
}

const PATIENT = `query Patient($id: ID!) {
  patient(id: $id) {
    id latestScore trend alertState
    timeline {
      trend trendChange
      points { observationId acquiredAt global aiGlobal origin status superseded deltaGlobal zones { zone score } }
      alerts { message severity acquiredAt }
    }
  }
}`;

const CLINICIAN = new Set(['AI_CONFIRMED', 'CLINICIAN_OVERRIDE', 'CLINICIAN']);

/** Patient page: timeline chart (AI circles, clinician squares), zone grid A–F, alerts. */
export async function renderPatientPage(root: HTMLElement, patientId: string): Promise<void> {
  const { patient } = await graphql<PatientData>(PATIENT, { id: patientId });
  const points = patient.timeline.points;
  root.replaceChildren(
    h('p', {}, h('a', { href: '#/' }, '← patients')),
    h('h1', { 'data-testid': 'patient-title' }, `Patient ${patient.id} `, scoreBadge(patient.latestScore)),
    h('p', { 'data-testid': 'patient-trend' }, `Trend: ${patient.timeline.trend.toLowerCase()}`, patient.timeline.trendChange !== null ? ` (${signed(patient.timeline.trendChange)} points)` : ''),
    chart(points),
    h('div', { class: 'legend' }, h('span', {}, '● AI result'), h('span', {}, '■ clinician (confirmed, override or radiologist)'), h('span', {}, '○ superseded AI result'), h('span', {}, '- - score 8')),
    h('h2', {}, 'Zones per study'),
    zoneGrid(points),
    h('h2', {}, 'Alerts'),
    h('ul', { 'data-testid': 'patient-alerts' }, ...patient.timeline.alerts.map((a) => h('li', {}, `${formatDate(a.acquiredAt)} [${a.severity.toLowerCase()}] ${a.message}`))),
  );
}

function signed(value: number): string {
  return value > 0 ? `+${value}` : String(value);
}

function chart(points: Point[]): SVGElement {
  const width = 720;
  const height = 260;
  const pad = 36;
  const times = points.map((p) => Date.parse(p.acquiredAt));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 1);
  const x = (t: number): number => pad + ((t - t0) / (t1 - t0)) * (width - 2 * pad);
  const y = (score: number): number => height - pad - (score / 18) * (height - 2 * pad);
  const counted = points.filter((p) => !p.superseded);
  const path = counted.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(Date.parse(p.acquiredAt)).toFixed(1)},${y(p.global).toFixed(1)}`).join(' ');
  const marks = points.map((p) => {
    const cx = x(Date.parse(p.acquiredAt));
    const cy = y(p.global);
    const label = `${formatDate(p.acquiredAt)}: ${p.global}/18 (${p.origin.toLowerCase().replace(/_/g, ' ')})`;
    const link = svg('a', { href: `#/assessments/${encodeURIComponent(p.observationId)}` });
    const mark = CLINICIAN.has(p.origin)
      ? svg('rect', { x: cx - 5, y: cy - 5, width: 10, height: 10, fill: '#ea580c', 'data-testid': 'point-clinician' }, svg('title', {}, label))
      : svg('circle', { cx, cy, r: 5, fill: p.superseded ? 'none' : '#2563eb', stroke: '#2563eb', 'data-testid': 'point-ai' }, svg('title', {}, label));
    link.append(mark);
    return link;
  });
  const ticks = [0, 6, 12, 18].map((s) => svg('text', { x: 4, y: y(s) + 4, 'font-size': 10 }, String(s)));
  return svg(
    'svg',
    { class: 'chart', width, height, viewBox: `0 0 ${width} ${height}`, 'data-testid': 'timeline-chart', role: 'img', 'aria-label': 'Brixia score over time' },
    svg('line', { x1: pad, x2: width - pad, y1: y(8), y2: y(8), stroke: '#f59e0b', 'stroke-dasharray': '4 4' }),
    svg('path', { d: path, fill: 'none', stroke: '#64748b' }),
    ...ticks,
    ...marks,
  );
}

function zoneGrid(points: Point[]): HTMLElement {
  const header = h('tr', {}, h('th', {}, 'Zone'), ...points.map((p) => h('th', {}, h('a', { href: `#/assessments/${encodeURIComponent(p.observationId)}` }, p.acquiredAt.slice(5, 10)))));
  const rows = ['A', 'B', 'C', 'D', 'E', 'F'].map((zone) =>
    h(
      'tr',
      {},
      h('th', {}, zone),
      ...points.map((p) => {
        const score = p.zones.find((z) => z.zone === zone)?.score ?? 0;
        return h('td', { class: `z z${score}`, 'data-testid': `zone-${zone}` }, String(score));
      }),
    ),
  );
  return h('table', { class: 'grid', 'data-testid': 'zone-grid' }, h('thead', {}, header), h('tbody', {}, ...rows));
}
