/** What is known of one instance from DICOM JSON metadata (PS3.18 F.2). */
export interface InstanceSummary {
  readonly seriesInstanceUid: string;
  readonly sopInstanceUid: string;
  readonly modality?: string;
  readonly viewPosition?: string;
}

/** SOP classes of projection radiographs (PS3.4 B.5): CR, DX for presentation and for processing. */
const RADIOGRAPH_MODALITIES = new Set(['CR', 'DX']);
const LATERAL_OR_OBLIQUE = /\b(LL|RL|LAT|LATERAL|RLO|LLO|RAO|LAO|RPO|LPO|OBL|OBLIQUE)\b/;

function rank(instance: InstanceSummary): number {
  const view = instance.viewPosition?.trim().toUpperCase() ?? '';
  if (view && LATERAL_OR_OBLIQUE.test(view) && !/\b(AP|PA)\b/.test(view)) return -1;
  if (view === 'PA') return 3;
  if (view === 'AP') return 2;
  return 1; // absent or other: frontal bedside films often omit ViewPosition
}

/**
 * The instance to score: CR/DX only, laterals and obliques never, PA before AP before unknown
 * (PA is the standard erect chest view; AP the bedside one). Order is otherwise kept (stable).
 */
export function selectFrontalInstance(instances: readonly InstanceSummary[]): InstanceSummary | undefined {
  let best: InstanceSummary | undefined;
  let bestRank = 0;
  for (const instance of instances) {
    if (instance.modality && !RADIOGRAPH_MODALITIES.has(instance.modality.toUpperCase())) continue;
    const score = rank(instance);
    if (score > bestRank) {
      best = instance;
      bestRank = score;
    }
  }
  return best;
}

type DicomJson = Record<string, { readonly Value?: readonly unknown[] } | undefined>;

function stringValue(dataset: DicomJson, tag: string): string | undefined {
  const value = dataset[tag]?.Value?.[0];
  return typeof value === 'string' ? value : undefined;
}

/** Summaries of the datasets of a QIDO-RS or metadata answer (DICOM JSON: tags as 8 hex digits). */
export function summarizeDicomJson(datasets: unknown): InstanceSummary[] {
  if (!Array.isArray(datasets)) return [];
  return datasets.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const dataset = entry as DicomJson;
    const seriesInstanceUid = stringValue(dataset, '0020000E');
    const sopInstanceUid = stringValue(dataset, '00080018');
    if (!seriesInstanceUid || !sopInstanceUid) return [];
    return [{ seriesInstanceUid, sopInstanceUid, modality: stringValue(dataset, '00080060'), viewPosition: stringValue(dataset, '00185101') }];
  });
}
