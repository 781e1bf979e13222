import { readFileSync, readdirSync } from 'node:fs';
import { decodeRadiograph, preprocessForBsnet } from '@brixia/imaging';
(async () => {
  const dir = '/work/shared/dicom-samples';
  const files = [...readdirSync(dir).filter((f) => f.endsWith('.dcm')).map((f) => `${dir}/${f}`), '/tmp/pk/ref/RG3_UNC.dcm'];
  const cold: Record<string, number> = {};
  for (const f of files) { const b = readFileSync(f); const t = performance.now(); await decodeRadiograph(b); cold[f.split('/').pop()!] = performance.now() - t; }
  for (const f of files) {
    const b = readFileSync(f); const times: number[] = [];
    for (let k = 0; k < 3; k++) { const t = performance.now(); await decodeRadiograph(b); times.push(performance.now() - t); }
    console.log(f.split('/').pop()!.padEnd(24), 'first', cold[f.split('/').pop()!].toFixed(0), 'warm min', Math.min(...times).toFixed(0), 'ms');
  }
  const { image } = await decodeRadiograph(readFileSync(`${dir}/RG1_JLSN.dcm`));
  const p = Uint8Array.from({ length: 2000 * 2000 }, (_, i) => image.pixels[i % image.pixels.length]);
  const times: number[] = [];
  for (let k = 0; k < 8; k++) { const t = performance.now(); preprocessForBsnet({ width: 2000, height: 2000, pixels: p }); times.push(performance.now() - t); }
  console.log('preprocess 2000x2000', times.map((t) => t.toFixed(0)).join(' '));
  const t2: number[] = [];
  for (let k = 0; k < 5; k++) { const t = performance.now(); preprocessForBsnet(image); t2.push(performance.now() - t); }
  console.log('preprocess 1841x1955', t2.map((t) => t.toFixed(0)).join(' '));
})();
