import { parseArgs } from 'node:util';
import type { ExecutionProviderName } from '@brixia/inference';

export const USAGE = `Usage: brixia score <file>... [options]
       brixia sample <dir>

score   Scores frontal chest radiographs (DICOM, PNG, JPEG) with BS-Net: Brixia zone scores A–F (0–3)
        and the global score (0–18). Research use only, not for diagnosis.
sample  Writes a synthetic chest-like radiograph as DICOM and PNG into <dir> for a quick tour
        (generated pixels, no patient data).

Options:
  --json               one JSON line per file on stdout (default: a table, one row as each file is scored)
  --progress           progress on stderr (model load, n of N files, time left); on by default when
                       stderr is a terminal
  --provider <name>    webgpu | cpu (default cpu; webgpu falls back to cpu when unavailable)
  --model-dir <dir>    folder with manifest.json and the ONNX file (default: the committed model)
  --verbose            debug logs on stderr (default: warnings and errors only)
  -h, --help           this text
`;

export interface ScoreCommand {
  readonly kind: 'score';
  readonly files: readonly string[];
  readonly json: boolean;
  readonly executionProviders: readonly ExecutionProviderName[];
  readonly modelDir?: string;
  readonly verbose: boolean;
  /** true/false when --progress/--no-progress was given; undefined: on when stderr is a terminal. */
  readonly progress?: boolean;
}

export interface SampleCommand {
  readonly kind: 'sample';
  readonly dir: string;
}

export type CliCommand = ScoreCommand | SampleCommand | { readonly kind: 'help' } | { readonly kind: 'usage-error'; readonly message: string };

const PROVIDERS: Readonly<Record<string, readonly ExecutionProviderName[]>> = {
  cpu: ['cpu'],
  // The CPU stays as the fallback; the library logs a warning when it is used instead.
  webgpu: ['webgpu', 'cpu'],
};

/** Parses the command line (without node and the script). Never throws: usage problems come back as a value. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        provider: { type: 'string', default: 'cpu' },
        'model-dir': { type: 'string' },
        verbose: { type: 'boolean', default: false },
        progress: { type: 'boolean' },
        'no-progress': { type: 'boolean' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return { kind: 'usage-error', message: error instanceof Error ? error.message : String(error) };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  const [command, ...files] = positionals;
  if (command === 'sample') {
    if (files.length !== 1) return { kind: 'usage-error', message: 'sample takes one folder' };
    return { kind: 'sample', dir: files[0] };
  }
  if (command !== 'score') {
    return { kind: 'usage-error', message: command === undefined ? 'no command given' : `unknown command "${command}"` };
  }
  if (files.length === 0) return { kind: 'usage-error', message: 'no files to score' };
  const providers = PROVIDERS[values.provider];
  if (providers === undefined) return { kind: 'usage-error', message: `--provider must be webgpu or cpu, not "${values.provider}"` };
  return {
    kind: 'score',
    files,
    json: values.json,
    executionProviders: providers,
    modelDir: values['model-dir'],
    verbose: values.verbose,
    ...(values.progress ? { progress: true } : values['no-progress'] ? { progress: false } : {}),
  };
}
