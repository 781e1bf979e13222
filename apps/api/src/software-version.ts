import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The service's version, read from the repository's package.json (found by walking up from this file, so
 * it works from the sources and from compiled output alike).
 */
function readSoftwareVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'brixia-fhir' && typeof pkg.version === 'string') return pkg.version;
    }
    if (dirname(dir) === dir) throw new Error('package.json of brixia-fhir not found above ' + __dirname);
  }
}

export const SOFTWARE_VERSION: string = readSoftwareVersion();
