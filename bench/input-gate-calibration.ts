/**
 * Calibrates and reports the input gate (README.md, "Input gate"): runs the real model on every frontal
 * chest radiograph of the research folders (which should all pass) and on negatives (which should not),
 * and prints refusal counts per set and class plus the distribution of each plausibility statistic.
 * Negatives: generated in bench/input-gate-negatives.ts, the NEMA WG04 tibia (RG3) and other non-chest
 * DICOM found on the machine, and raster pictures shipped with Debian packages (icons, screenshots, plots).
 *
 *   nice -n 10 node -r ./tools/register.js bench/input-gate-calibration.ts [--shared ../shared]
 *        [--json tmp/input-gate-calibration.json] [--threads N]
 *   node -r ./tools/register.js bench/input-gate-calibration.ts --from-json tmp/input-gate-calibration.json
 *        (re-applies the current thresholds to the statistics saved by a full run, without the model;
 *        several files separated by commas: later entries replace earlier ones of the same image)
 *   ... --names 'JPCLN03[17]' runs only the images whose path matches (e.g. after an image rule changed)
 *
 * Folders that are absent are skipped (and reported as such); nothing is copied anywhere.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { isAppError } from '@brixia/common';
import { acquisitionProblems, decodeRadiograph, imageProblems, preprocessForBsnet, type GreyImage, type RadiographMetadata } from '@brixia/imaging';
import { chestPlausibilityProblems, loadOrtScoreModel, type LungMaskEvidence, type ScoreModel } from '@brixia/inference';
import { generatedNegatives } from './input-gate-negatives';

const { values } = parseArgs({
  options: {
    shared: { type: 'string', default: join(__dirname, '..', '..', 'shared') },
    json: { type: 'string', default: 'tmp/input-gate-calibration.json' },
    threads: { type: 'string' },
    'from-json': { type: 'string' },
    names: { type: 'string' },
  },
});

interface Item {
  readonly set: string;
  readonly cls: string;
  readonly name: string;
  readonly load: () => Promise<{ image: GreyImage; metadata?: RadiographMetadata }>;
}

interface Verdict {
  readonly set: string;
  readonly cls: string;
  readonly name: string;
  readonly size?: string;
  /** Rules that refused it: header (DICOM), image, model plausibility; 'decode' when it could not be read. */
  readonly header: string[];
  readonly image: string[];
  readonly model: string[];
  readonly evidence?: LungMaskEvidence;
}

const IMAGE_FILE = /\.(png|jpe?g|dcm)$/i;

function filesIn(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder).filter((f) => IMAGE_FILE.test(f) && statSync(join(folder, f)).isFile()).sort().map((f) => join(folder, f));
}

function fileItems(set: string, cls: string, files: readonly string[]): Item[] {
  return files.map((file) => ({ set, cls, name: file, load: () => decodeRadiograph(readFileSync(file)) }));
}

function items(shared: string): Item[] {
  const samples = join(shared, 'dicom-samples');
  const dicomSamples = filesIn(samples);
  const systemPictures = ['/usr/share/icons/Adwaita/512x512', '/usr/share/doc/valgrind/html/images', '/usr/share/doc/nodejs/contributing/doc_img'];
  const pictures = systemPictures.flatMap((folder) => (existsSync(folder) ? readdirSync(folder).flatMap((sub) => {
    const path = join(folder, sub);
    return statSync(path).isDirectory() ? filesIn(path) : IMAGE_FILE.test(path) ? [path] : [];
  }) : []));
  return [
    ...fileItems('brixia-public', 'chest', filesIn(join(shared, 'brixia-public', 'images'))),
    ...fileItems('lung-seg', 'chest', [...filesIn(join(shared, 'lung-seg', 'jsrt', 'images512')), ...filesIn(join(shared, 'lung-seg', 'covid', 'images512'))]),
    ...fileItems('cxr-unlabelled', 'chest', filesIn(join(shared, 'cxr-unlabelled', 'gray512'))),
    ...fileItems('dicom-samples', 'chest', dicomSamples.filter((f) => !/RG3_/.test(f))),
    ...fileItems('negatives', 'extremity (RG3 tibia, DICOM)', dicomSamples.filter((f) => /RG3_/.test(f))),
    ...fileItems('negatives', 'angiography (XA, DICOM)', filesIn('/usr/share/doc/libgdcm3.0/examples')),
    ...fileItems('negatives', 'pictures (icons, screenshots, plots)', pictures),
    ...generatedNegatives().map((n) => ({ set: 'negatives', cls: `${n.cls} (generated)`, name: n.name, load: async () => ({ image: n.image }) })),
  ];
}

async function judge(item: Item, model: ScoreModel): Promise<Verdict> {
  const base = { set: item.set, cls: item.cls, name: item.name };
  let decoded: { image: GreyImage; metadata?: RadiographMetadata };
  try {
    decoded = await item.load();
  } catch (error) {
    return { ...base, header: [], image: [`decode:${isAppError(error) ? error.code : 'error'}`], model: [] };
  }
  const { image, metadata } = decoded;
  const header = metadata ? acquisitionProblems(metadata).map((p) => p.rule) : [];
  const imageRules = imageProblems(image).map((p) => p.rule);
  const size = `${image.width}×${image.height}`;
  // The model runs only on images the earlier rules let through, as in the service.
  if (imageRules.length > 0) return { ...base, size, header, image: imageRules, model: [] };
  const output = await model.score(preprocessForBsnet(image));
  return { ...base, size, header, image: imageRules, model: chestPlausibilityProblems(output.lungMask).map((p) => p.rule), evidence: output.lungMask };
}

function quantiles(valuesIn: readonly number[]): string {
  if (valuesIn.length === 0) return '–';
  const sorted = [...valuesIn].sort((a, b) => a - b);
  const at = (q: number): string => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))].toFixed(3);
  return `${at(0)} / ${at(0.01)} / ${at(0.5)} / ${at(0.99)} / ${at(1)}`;
}

function statistics(verdicts: readonly Verdict[]): Record<string, (e: LungMaskEvidence) => number> {
  void verdicts;
  const [first, second] = [(e: LungMaskEvidence): number => e.components[0]?.areaFraction ?? 0, (e: LungMaskEvidence): number => e.components[1]?.areaFraction ?? 0];
  return {
    'lung area fraction': (e) => e.lungAreaFraction,
    'mean lung probability': (e) => e.meanLungProbability,
    'second lung area fraction': second,
    'lung balance (2nd / 1st)': (e) => (first(e) > 0 ? second(e) / first(e) : 0),
    'lung centroid separation': (e) => (e.components.length >= 2 ? Math.abs(e.components[0].centroidX - e.components[1].centroidX) : 0),
    'θ scale min': (e) => Math.min(e.alignment[0], e.alignment[4]),
    'θ scale max': (e) => Math.max(e.alignment[0], e.alignment[4]),
    'θ shear |max|': (e) => Math.max(Math.abs(e.alignment[1]), Math.abs(e.alignment[3])),
    'θ shift |max|': (e) => Math.max(Math.abs(e.alignment[2]), Math.abs(e.alignment[5])),
  };
}

function report(saved: readonly Verdict[]): void {
  // The plausibility rules are a pure function of the saved statistics: re-apply the current thresholds.
  const verdicts = saved.map((v) => (v.evidence === undefined ? v : { ...v, model: chestPlausibilityProblems(v.evidence).map((p) => p.rule) }));
  const groups = new Map<string, Verdict[]>();
  for (const v of verdicts) groups.set(`${v.set} | ${v.cls}`, [...(groups.get(`${v.set} | ${v.cls}`) ?? []), v]);
  console.log('| set | class | images | refused (any rule) | by DICOM header | by image rules | by model plausibility | pixels only (header ignored) |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const [key, group] of groups) {
    const [set, cls] = key.split(' | ');
    const count = (f: (v: Verdict) => boolean): number => group.filter(f).length;
    const refused = count((v) => v.header.length + v.image.length + v.model.length > 0);
    const pixels = count((v) => v.image.length + v.model.length > 0);
    console.log(`| ${set} | ${cls} | ${group.length} | ${refused} | ${count((v) => v.header.length > 0)} | ${count((v) => v.image.length > 0)} | ${count((v) => v.model.length > 0)} | ${pixels} |`);
  }
  console.log('\nPlausibility statistics (min / 1 % / median / 99 % / max), images that reached the model:\n');
  console.log('| statistic | chest sets | negatives |');
  console.log('|---|---|---|');
  const scored = verdicts.filter((v) => v.evidence !== undefined);
  for (const [label, f] of Object.entries(statistics(scored))) {
    const of = (chest: boolean): string => quantiles(scored.filter((v) => (v.cls === 'chest') === chest).map((v) => f(v.evidence as LungMaskEvidence)));
    console.log(`| ${label} | ${of(true)} | ${of(false)} |`);
  }
  const refusedChest = verdicts.filter((v) => v.cls === 'chest' && v.image.length + v.model.length + v.header.length > 0);
  const passedNegatives = verdicts.filter((v) => v.cls !== 'chest' && v.image.length + v.model.length + v.header.length === 0);
  console.log('\nRefused chest radiographs:', refusedChest.map((v) => `${v.name} [${[...v.header, ...v.image, ...v.model].join(',')}]`));
  console.log('Negatives let through:', passedNegatives.map((v) => `${v.cls}: ${v.name}`));
}

async function main(): Promise<void> {
  if (values['from-json'] !== undefined) {
    const byName = new Map<string, Verdict>();
    for (const file of values['from-json'].split(',')) {
      for (const v of JSON.parse(readFileSync(file, 'utf8')) as Verdict[]) byName.set(`${v.cls}|${v.name}`, v);
    }
    report([...byName.values()]);
    return;
  }
  const model = await loadOrtScoreModel({ intraOpNumThreads: values.threads === undefined ? undefined : Number(values.threads) });
  const only = values.names === undefined ? undefined : new RegExp(values.names);
  const all = items(values.shared).filter((item) => only === undefined || only.test(item.name));
  const started = Date.now();
  const verdicts: Verdict[] = [];
  try {
    for (const [i, item] of all.entries()) {
      verdicts.push(await judge(item, model));
      if ((i + 1) % 100 === 0) console.error(`${i + 1}/${all.length} images, ${Math.round((Date.now() - started) / 1000)} s`);
    }
  } finally {
    await model.close();
  }
  mkdirSync(dirname(values.json), { recursive: true });
  writeFileSync(values.json, JSON.stringify(verdicts, null, 1));
  console.log(`${verdicts.length} images in ${Math.round((Date.now() - started) / 1000)} s (model ${model.identity.version}, ${model.executionProvider}); details in ${values.json}\n`);
  report(verdicts);
}

void main();
