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
  zones: Array<{ zone: string; score: number; aiScore: number | null }>;
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
      points { observationId acquiredAt global aiGlobal origin status superseded deltaGlobal zones { zone score aiScore } }
      alerts { message severity acquiredAt }
    }
  }
}`;

const CLINICIAN = new Set(['AI_CONFIRMED', 'CLINICIAN_OVERRIDE', 'CLINICIAN']);

/** Patient page: timeline chart (AI circles, clinician squares), zone grid A–F, alerts. */
export async function renderPatientPage(root: HTMLElement, patientId: string): Promise<void> {
  const { patient } = await graphql<PatientData>(PATIENT, { id: patientId });
  const points = patient.timeline.points;
  const details = h('p', { class: 'hover-details', 'data-testid': 'hover-details' }, 'Hover or focus a study for its date, score and zones.');
  root.replaceChildren(
    h('p', {}, h('a', { href: '#/' }, '← patients')),
    h('h1', { 'data-testid': 'patient-title' }, `Patient ${patient.id} `, scoreBadge(patient.latestScore)),
    h('p', { 'data-testid': 'patient-trend' }, `Trend: ${patient.timeline.trend.toLowerCase()}`, patient.timeline.trendChange !== null ? ` (${signed(patient.timeline.trendChange)} points)` : ''),
    chart(points, details),
    details,
    h(
      'div',
      { class: 'legend', 'data-testid': 'chart-legend' },
      h('span', {}, '● AI result'),
      h('span', {}, '■ clinician (confirmed, override or radiologist)'),
      h('span', {}, '◌ AI value a clinician overrode'),
      h('span', {}, '○ superseded AI result'),
      h('span', {}, '- - score 8: the in-hospital-mortality cut-off found in 302 patients (informational, not diagnostic)'),
    ),
    h('h2', {}, 'Zones per study'),
    zoneGrid(points),
    h('h2', {}, 'Alerts'),
    h('ul', { 'data-testid': 'patient-alerts' }, ...patient.timeline.alerts.map((a) => h('li', {}, `${formatDate(a.acquiredAt)} [${a.severity.toLowerCase()}] ${a.message}`))),
  );
}

function signed(value: number): string {
  return value > 0 ? `+${value}` : String(value);
}

const ALERT_LINE = 8;

function originText(origin: string): string {
  return origin.toLowerCase().replace(/_/g, ' ');
}

function zonesText(point: Point): string {
  return point.zones.map((z) => `${z.zone}${z.score}${z.aiScore !== null && z.aiScore !== undefined && z.aiScore !== z.score ? ` (AI ${z.aiScore})` : ''}`).join(' ');
}

/**
 * Score over acquisition time: a d3 time axis (UTC), the AI series (circles; an overridden study keeps its
 * AI value as a hollow circle) and the clinician series (squares), the score-8 line, and, under it, a
 * zone-by-time heat strip on the same time axis. Hovering a study shows its date, score and zones.
 */
function chart(points: Point[], details: HTMLElement): SVGElement {
  const width = 760;
  const pad = { left: 40, right: 24, top: 12 };
  const plotHeight = 220;
  const axisHeight = 34;
  const stripRow = 12;
  const stripTop = pad.top + plotHeight + axisHeight;
  const height = stripTop + stripRow * 6 + 8;
  const times = points.map((p) => new Date(p.acquiredAt));
  const t0 = new Date(Math.min(...times.map(Number)));
  const t1 = new Date(Math.max(...times.map(Number), t0.getTime() + 3_600_000));
  const x = d3.scaleTime().domain([t0, t1]).range([pad.left, width - pad.right]);
  const y = d3.scaleLinear().domain([0, 18]).range([pad.top + plotHeight, pad.top]);
  const xAt = (p: Point): number => x(new Date(p.acquiredAt));
  const counted = points.filter((p) => !p.superseded);
  const line = (values: Array<[number, number]>, attrs: Record<string, string | number>): SVGElement =>
    svg('path', { d: values.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${px.toFixed(1)},${py.toFixed(1)}`).join(' '), fill: 'none', ...attrs });
  const aiSeries = counted.map((p): [number, number] => [xAt(p), y(p.aiGlobal ?? p.global)]);
  const clinicianSeries = counted.filter((p) => CLINICIAN.has(p.origin)).map((p): [number, number] => [xAt(p), y(p.global)]);
  const fullDate = d3.utcFormat('%Y-%m-%d %H:%M UTC');
  const show = (p: Point): void => {
    details.textContent = `${fullDate(new Date(p.acquiredAt))} · ${p.global}/18 (${originText(p.origin)}${p.aiGlobal !== null ? `, AI ${p.aiGlobal}` : ''}) · zones ${zonesText(p)}`;
  };
  const marks = points.flatMap((p) => {
    const cx = xAt(p);
    const label = `${fullDate(new Date(p.acquiredAt))}: ${p.global}/18 (${originText(p.origin)}) — ${zonesText(p)}`;
    const link = svg('a', { href: `#/assessments/${encodeURIComponent(p.observationId)}`, 'data-testid': 'point-link' });
    const mark = CLINICIAN.has(p.origin)
      ? svg('rect', { x: cx - 5, y: y(p.global) - 5, width: 10, height: 10, fill: '#ea580c', 'data-testid': 'point-clinician' }, svg('title', {}, label))
      : svg('circle', { cx, cy: y(p.global), r: 5, fill: p.superseded ? 'none' : '#2563eb', stroke: '#2563eb', 'data-testid': 'point-ai' }, svg('title', {}, label));
    link.addEventListener('mouseenter', () => show(p));
    link.addEventListener('focus', () => show(p));
    link.append(mark);
    // An override keeps the model's value visible: a hollow AI circle at aiGlobal.
    const aiGhost = p.aiGlobal !== null && p.aiGlobal !== p.global ? [svg('circle', { cx, cy: y(p.aiGlobal), r: 4, fill: 'none', stroke: '#2563eb', 'stroke-dasharray': '2 2', 'data-testid': 'point-ai-overridden' })] : [];
    return [...aiGhost, link];
  });
  const timeTicks = x.ticks(Math.min(8, Math.max(2, points.length)));
  const tickLabel = x.tickFormat();
  const xAxis = timeTicks.flatMap((t) => [
    svg('line', { x1: x(t), x2: x(t), y1: pad.top, y2: pad.top + plotHeight + 4, stroke: '#e2e8f0' }),
    svg('text', { x: x(t), y: pad.top + plotHeight + 16, 'font-size': 10, 'text-anchor': 'middle', 'data-testid': 'time-tick' }, tickLabel(t)),
  ]);
  const yAxis = [0, 6, 12, 18].map((s) => svg('text', { x: pad.left - 8, y: y(s) + 4, 'font-size': 10, 'text-anchor': 'end' }, String(s)));
  const strip = ['A', 'B', 'C', 'D', 'E', 'F'].flatMap((zone, row) => [
    svg('text', { x: pad.left - 8, y: stripTop + row * stripRow + 9, 'font-size': 9, 'text-anchor': 'end' }, zone),
    ...counted.map((p) => {
      const score = p.zones.find((z) => z.zone === zone)?.score ?? 0;
      return svg('rect', { x: xAt(p) - 6, y: stripTop + row * stripRow, width: 12, height: stripRow - 2, class: `z${score}`, 'data-testid': 'strip-cell' }, svg('title', {}, `${zone} ${score} — ${fullDate(new Date(p.acquiredAt))}`));
    }),
  ]);
  return svg(
    'svg',
    { class: 'chart', width, height, viewBox: `0 0 ${width} ${height}`, 'data-testid': 'timeline-chart', role: 'img', 'aria-label': 'Brixia score over acquisition time' },
    ...xAxis,
    svg('text', { x: width - pad.right, y: pad.top + plotHeight + 30, 'font-size': 10, 'text-anchor': 'end' }, 'acquisition time (UTC)'),
    svg('line', { x1: pad.left, x2: width - pad.right, y1: y(ALERT_LINE), y2: y(ALERT_LINE), stroke: '#f59e0b', 'stroke-dasharray': '4 4' }),
    svg('text', { x: width - pad.right, y: y(ALERT_LINE) - 4, 'font-size': 10, 'text-anchor': 'end', fill: '#b45309' }, `score ${ALERT_LINE}`),
    line(aiSeries, { stroke: '#2563eb', 'stroke-opacity': 0.6, 'data-testid': 'series-ai' }),
    ...(clinicianSeries.length > 1 ? [line(clinicianSeries, { stroke: '#ea580c', 'data-testid': 'series-clinician' })] : []),
    ...yAxis,
    ...marks,
    ...strip,
  );
}

function zoneGrid(points: Point[]): HTMLElement {
  const fullDate = d3.utcFormat('%Y-%m-%d %H:%M');
  const header = h('tr', {}, h('th', {}, 'Zone'), ...points.map((p) => h('th', {}, h('a', { href: `#/assessments/${encodeURIComponent(p.observationId)}`, 'data-testid': 'grid-date' }, fullDate(new Date(p.acquiredAt))))));
  const rows = ['A', 'B', 'C', 'D', 'E', 'F'].map((zone) =>
    h(
      'tr',
      {},
      h('th', {}, zone),
      ...points.map((p) => {
        const value = p.zones.find((z) => z.zone === zone);
        const score = value?.score ?? 0;
        const overridden = value?.aiScore !== null && value?.aiScore !== undefined && value.aiScore !== score;
        return overridden
          ? h('td', { class: `z z${score} overridden`, 'data-testid': `zone-${zone}`, 'data-overridden': true, title: `clinician ${score}, AI ${value.aiScore}` }, `${score}`, h('small', {}, ` AI ${value.aiScore}`))
          : h('td', { class: `z z${score}`, 'data-testid': `zone-${zone}` }, String(score));
      }),
    ),
  );
  return h('table', { class: 'grid', 'data-testid': 'zone-grid' }, h('thead', {}, header), h('tbody', {}, ...rows));
}
