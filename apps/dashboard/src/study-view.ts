import { h, scoreBadge } from './dom.js';
import { graphql, GraphqlRequestError, showImage } from './graphql-client.js';
import { signedInUser } from './auth.js';

interface AssessmentData {
  assessment: {
    observationId: string;
    taskId: string | null;
    patientId: string;
    status: string;
    versionId: number;
    global: number;
    observation: { component?: Array<{ code: { coding?: Array<{ code?: string }> }; valueInteger?: number }> };
    explanationImages: Array<{ kind: string; zone: string | null; url: string }>;
    radiographUrl: string | null;
  };
}

const ASSESSMENT = `query Assessment($id: ID!) {
  assessment(observationId: $id) { observationId taskId patientId status versionId global observation explanationImages { kind zone url } radiographUrl }
}`;
const OCCLUSION = `mutation Occlusion($taskId: ID!) { explainByOcclusion(taskId: $taskId) { images forwardPasses durationMs } }`;
const REVIEW = `mutation Review($input: ReviewAssessmentInput!) { reviewAssessment(input: $input) { versionId status } }`;
const ZONES = ['A', 'B', 'C', 'D', 'E', 'F'];

function radiograph(url: string): HTMLImageElement {
  const image = h('img', { alt: 'Radiograph', 'data-testid': 'radiograph' }) as HTMLImageElement;
  void showImage(image, url);
  return image;
}

/** Study view: radiograph, heat-map overlay (all zones or one), scores, and the review buttons. */
export async function renderStudyView(root: HTMLElement, observationId: string, notice = ''): Promise<void> {
  const { assessment } = await graphql<AssessmentData>(ASSESSMENT, { id: observationId });
  const zoneScore = (zone: string): number =>
    assessment.observation.component?.find((c) => c.code.coding?.some((coding) => coding.code === `zone-${zone}`))?.valueInteger ?? 0;
  const overlay = h('img', { alt: 'Heat map overlay', 'data-testid': 'overlay' }) as HTMLImageElement;
  void showImage(overlay, assessment.explanationImages[0]?.url);
  const overlayButtons = assessment.explanationImages.map((image) => {
    const occlusion = image.kind === 'occlusion-overlay';
    const name = `${occlusion ? 'occlusion-' : ''}${image.zone ?? 'all'}`;
    const button = h('button', { 'data-testid': `overlay-${name}` }, `${occlusion ? 'occlusion ' : ''}${image.zone ?? 'all zones'}`);
    button.addEventListener('click', () => void showImage(overlay, image.url));
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
  const occlude = h('button', { 'data-testid': 'occlusion', disabled: !assessment.taskId }, 'Compute occlusion maps (slow: one model run per super-pixel)');
  occlude.addEventListener('click', () => {
    occlude.setAttribute('disabled', '');
    occlude.textContent = 'Computing occlusion maps…';
    graphql<{ explainByOcclusion: { images: number; forwardPasses: number; durationMs: number } }>(OCCLUSION, { taskId: assessment.taskId })
      .then(({ explainByOcclusion: made }) => renderStudyView(root, observationId, `Occlusion maps: ${made.forwardPasses} model runs, ${(made.durationMs / 1000).toFixed(1)} s`))
      .catch((error: unknown) => {
        message.className = 'message error';
        message.textContent = error instanceof GraphqlRequestError ? `${error.code}: ${error.message}` : String(error);
      });
  });
  root.replaceChildren(
    h('p', {}, h('a', { href: `#/patients/${encodeURIComponent(assessment.patientId)}` }, `← patient ${assessment.patientId}`)),
    h('h1', {}, 'Study ', scoreBadge(assessment.global)),
    h('p', { 'data-testid': 'study-status' }, `Status: ${assessment.status} · version ${assessment.versionId} · ${ZONES.map((z) => `${z}${zoneScore(z)}`).join(' ')}`),
    h('div', { class: 'images' }, assessment.radiographUrl ? radiograph(assessment.radiographUrl) : h('p', {}, 'Radiograph not held by this service'), assessment.explanationImages.length > 0 ? overlay : h('p', {}, 'No explanation images')),
    h('p', {}, ...overlayButtons, ' ', occlude),
    h('div', { class: 'review' }, h('h2', {}, 'Review'), h('p', {}, 'Reviewer ', reviewer), h('p', {}, ...ZONES.flatMap((zone, i) => [` ${zone} `, inputs[i]])), confirm, ' ', override, message),
  );
}
