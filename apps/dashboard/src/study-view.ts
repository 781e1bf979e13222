import { h, scoreBadge } from './dom.js';
import { graphql, GraphqlRequestError, liveConnection, showImage } from './graphql-client.js';
import { imageViewer } from './image-viewer.js';
import { signedInUser } from './auth.js';

interface ObservationComponent {
  code: { coding?: Array<{ code?: string }> };
  valueInteger?: number;
  extension?: Array<{ url: string; extension?: Array<{ url: string; valueDecimal?: number }> }>;
}
interface AssessmentData {
  assessment: {
    observationId: string;
    taskId: string | null;
    patientId: string;
    status: string;
    versionId: number;
    global: number;
    observation: { effectiveDateTime?: string; device?: { display?: string }; component?: ObservationComponent[] };
    explanationImages: Array<{ kind: string; zone: string | null; url: string }>;
    radiographUrl: string | null;
  };
}
interface TimelineZones {
  patient: { timeline: { points: Array<{ observationId: string; aiGlobal: number | null; zones: Array<{ zone: string; score: number; aiScore: number | null }> }> } };
}

const ASSESSMENT = `query Assessment($id: ID!) {
  assessment(observationId: $id) { observationId taskId patientId status versionId global observation explanationImages { kind zone url } radiographUrl }
}`;
const AI_VALUES = `query AiValues($patient: ID!) { patient(id: $patient) { timeline { points { observationId aiGlobal zones { zone score aiScore } } } } }`;
const OCCLUSION_PROGRESS = `subscription Progress($taskId: ID!) { occlusionProgress(taskId: $taskId) { done total } }`;
const OCCLUSION = `mutation Occlusion($taskId: ID!) { explainByOcclusion(taskId: $taskId) { images forwardPasses durationMs } }`;
const REVIEW = `mutation Review($input: ReviewAssessmentInput!) { reviewAssessment(input: $input) { versionId status } }`;
const ZONES = ['A', 'B', 'C', 'D', 'E', 'F'];
const STATUS_TEXT: Record<string, string> = { preliminary: 'AI result — preliminary (not reviewed)', final: 'AI result confirmed by a clinician', amended: 'Clinician override of the AI result' };

function componentOf(observation: AssessmentData['assessment']['observation'], zone: string): ObservationComponent | undefined {
  return observation.component?.find((c) => c.code.coding?.some((coding) => coding.code === `zone-${zone}`));
}

function probabilitiesOf(component: ObservationComponent | undefined): number[] | null {
  const vector = component?.extension?.find((e) => e.url.endsWith('/StructureDefinition/brixia-zone-probabilities'));
  const values = [0, 1, 2, 3].map((s) => vector?.extension?.find((sub) => sub.url === `score-${s}`)?.valueDecimal);
  return values.every((v) => typeof v === 'number') ? (values as number[]) : null;
}

function formatInstant(iso: string | undefined): string {
  if (!iso) return 'unknown';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Study view: image viewer with overlays, scores with probabilities, status, model, and the review. */
export async function renderStudyView(root: HTMLElement, observationId: string, notice = ''): Promise<void> {
  const { assessment } = await graphql<AssessmentData>(ASSESSMENT, { id: observationId });
  // The model's own values of an overridden study live on the timeline (aiScore per zone).
  const aiValues = await graphql<TimelineZones>(AI_VALUES, { patient: assessment.patientId })
    .then((data) => data.patient.timeline.points.find((p) => p.observationId === observationId) ?? null)
    .catch(() => null);
  const zoneScore = (zone: string): number => componentOf(assessment.observation, zone)?.valueInteger ?? 0;
  // Images need the access token: fetched by showImage and shown from object URLs (the viewer waits for their load).
  const overlay = h('img', { alt: 'Heat map overlay', 'data-testid': 'overlay', class: 'source-image' }) as HTMLImageElement;
  void showImage(overlay, assessment.explanationImages[0]?.url);
  const radiograph = assessment.radiographUrl ? (h('img', { alt: 'Radiograph', 'data-testid': 'radiograph', class: 'source-image' }) as HTMLImageElement) : null;
  if (radiograph) void showImage(radiograph, assessment.radiographUrl);
  const viewer = radiograph ? imageViewer({ radiograph, overlay: assessment.explanationImages.length > 0 ? overlay : null }) : null;
  const overlayButtons = assessment.explanationImages.map((image) => {
    const occlusion = image.kind === 'occlusion-overlay';
    const name = `${occlusion ? 'occlusion-' : ''}${image.zone ?? 'all'}`;
    const button = h('button', { 'data-testid': `overlay-${name}` }, `${occlusion ? 'occlusion ' : ''}${image.zone ?? 'all zones'}`);
    button.addEventListener('click', () => {
      viewer?.setOverlay(overlay);
      void showImage(overlay, image.url);
    });
    return button;
  });
  const inputs = ZONES.map((zone) => h('input', { type: 'number', min: 0, max: 3, value: zoneScore(zone), 'data-testid': `input-${zone}`, 'aria-label': `zone ${zone}` }) as HTMLInputElement);
  // The service records the signed-in user as the reviewer (from the access token).
  const reviewer = h('span', { 'data-testid': 'reviewer' }, signedInUser()?.name ?? 'unknown');
  const message = h('div', { class: 'message', 'data-testid': 'review-message' }, notice);
  const review = async (action: 'CONFIRM' | 'OVERRIDE'): Promise<void> => {
    const zones = Object.fromEntries(ZONES.map((zone, i) => [zone, Number(inputs[i].value)]));
    try {
      const { reviewAssessment } = await graphql<{ reviewAssessment: { versionId: number; status: string } }>(REVIEW, {
        input: { observationId, action, expectedVersion: assessment.versionId, ...(action === 'OVERRIDE' ? { zones } : {}) },
      });
      await renderStudyView(root, observationId, `Saved: ${reviewAssessment.status}, version ${reviewAssessment.versionId}`);
    } catch (error) {
      message.className = 'message error';
      message.textContent = error instanceof GraphqlRequestError ? `${error.code}: ${error.message}` : String(error);
    }
  };
  const confirm = h('button', { 'data-testid': 'confirm' }, 'Confirm');
  confirm.addEventListener('click', () => void review('CONFIRM'));
  const override = h('button', { 'data-testid': 'override' }, 'Override with these zone scores');
  override.addEventListener('click', () => void review('OVERRIDE'));
  const occlusionDone = assessment.explanationImages.some((image) => image.kind === 'occlusion-overlay');
  const occlude = h(
    'button',
    { 'data-testid': 'occlusion', disabled: !assessment.taskId || occlusionDone },
    occlusionDone ? 'Occlusion maps computed' : 'Compute occlusion maps (slow: one model run per super-pixel)',
  );
  occlude.addEventListener('click', () => {
    occlude.setAttribute('disabled', '');
    const started = Date.now();
    let progress = '';
    const tick = (): void => {
      occlude.textContent = `Computing occlusion maps… ${progress}${Math.round((Date.now() - started) / 1000)} s`;
    };
    tick();
    const timer = setInterval(tick, 1000);
    const stopProgress = liveConnection()?.subscribe(
      OCCLUSION_PROGRESS,
      (data) => {
        const { done, total } = (data as { occlusionProgress: { done: number; total: number } }).occlusionProgress;
        progress = `${done} of ${total} super-pixels, `;
        occlude.dataset['progress'] = `${done}/${total}`;
        tick();
      },
      { taskId: assessment.taskId },
    );
    graphql<{ explainByOcclusion: { images: number; forwardPasses: number; durationMs: number } }>(OCCLUSION, { taskId: assessment.taskId })
      .then(({ explainByOcclusion: made }) => renderStudyView(root, observationId, `Occlusion maps: ${made.forwardPasses} model runs, ${(made.durationMs / 1000).toFixed(1)} s`))
      .catch((error: unknown) => {
        occlude.removeAttribute('disabled');
        occlude.textContent = 'Compute occlusion maps (slow: one model run per super-pixel)';
        message.className = 'message error';
        message.textContent = error instanceof GraphqlRequestError ? `${error.code}: ${error.message}` : String(error);
      })
      .finally(() => {
        clearInterval(timer);
        stopProgress?.();
      });
  });
  const zoneRows = ZONES.map((zone) => {
    const score = zoneScore(zone);
    const probabilities = probabilitiesOf(componentOf(assessment.observation, zone));
    const ai = aiValues?.zones.find((z) => z.zone === zone)?.aiScore ?? null;
    const overridden = ai !== null && ai !== score;
    return h(
      'tr',
      { 'data-testid': `zone-row-${zone}`, ...(overridden ? { class: 'overridden', 'data-overridden': true } : {}) },
      h('th', {}, zone),
      h('td', { class: `z z${score}` }, String(score)),
      h('td', { 'data-testid': `zone-probabilities-${zone}` }, probabilities ? probabilities.map((p, s) => `${s}: ${(p * 100).toFixed(0)} %`).join(' · ') : '—'),
      h('td', {}, overridden ? `clinician ${score}, AI ${ai}` : ''),
    );
  });
  const model = assessment.observation.device?.display ?? 'clinician-entered';
  root.replaceChildren(
    h('p', {}, h('a', { href: `#/patients/${encodeURIComponent(assessment.patientId)}` }, `← patient ${assessment.patientId}`)),
    h('h1', {}, 'Brixia score ', scoreBadge(assessment.global), ' / 18'),
    h('p', { class: `status-label status-${assessment.status}`, 'data-testid': 'ai-label' }, STATUS_TEXT[assessment.status] ?? assessment.status),
    h('p', { 'data-testid': 'study-status' }, `Status: ${assessment.status} · version ${assessment.versionId} · ${ZONES.map((z) => `${z}${zoneScore(z)}`).join(' ')}`),
    h('p', { 'data-testid': 'study-facts' }, `Acquired ${formatInstant(assessment.observation.effectiveDateTime)} · model ${model}`),
    h(
      'div',
      { class: 'study' },
      viewer ? viewer.element : h('p', {}, 'Radiograph not held by this service'),
      h(
        'div',
        { class: 'study-side' },
        h('table', { class: 'grid zone-table', 'data-testid': 'zone-table' }, h('thead', {}, h('tr', {}, ...['Zone', 'Score', 'p(score)', 'Review'].map((t) => h('th', {}, t)))), h('tbody', {}, ...zoneRows)),
        h('p', {}, ...overlayButtons),
        h('p', {}, occlude),
      ),
    ),
    h('div', { class: 'images sources' }, ...(radiograph ? [radiograph] : []), ...(assessment.explanationImages.length > 0 ? [overlay] : [h('p', {}, 'No explanation images')])),
    h('div', { class: 'review' }, h('h2', {}, 'Review'), h('p', {}, 'Reviewer ', reviewer), h('p', {}, ...ZONES.flatMap((zone, i) => [` ${zone} `, inputs[i]])), confirm, ' ', override, message),
  );
}
