import { readFile } from 'node:fs/promises';
import { createLogger, isAppError, type Logger } from '@brixia/common';
import { PREPROCESSING_ID, assertScorableRadiograph, decodeRadiograph, preprocessForBsnet } from '@brixia/imaging';
import { assertChestRadiograph, loadOrtScoreModel, type ScoreModel } from '@brixia/inference';
import { USAGE, parseCliArgs, type ScoreCommand } from './cli-args';
import { errorLine, jsonLine, tableFooter, tableHeader, tableRow, type FileResult } from './score-output';
import { ProgressReporter } from './progress';
import { writeSample } from './sample-command';

/** Where the CLI writes; process.stdout/stderr in main.ts. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal: progress is shown there by default only then. */
  readonly stderrIsTerminal?: boolean;
}

/** Exit codes: 0 all scored, 1 some file (or the model) failed, 2 usage error. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Files in flight at once: enough to fill one micro-batch of the model (default batch size 4). */
const FILES_IN_FLIGHT = 4;

async function scoreFile(file: string, model: ScoreModel, logger: Logger): Promise<FileResult> {
  try {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (cause) {
      const reason = (cause as NodeJS.ErrnoException).code ?? 'read error';
      return { file, ok: false, error: { code: 'IMAGING.UNREADABLE', message: `The file could not be read (${reason})` } };
    }
    const decoded = await decodeRadiograph(bytes);
    // The service's input gate, unchanged (README.md, "Input gate"): same images refused, same codes.
    assertScorableRadiograph(decoded);
    const scoring = await model.score(preprocessForBsnet(decoded.image));
    assertChestRadiograph(scoring);
    return { file, ok: true, scoring };
  } catch (error) {
    if (isAppError(error)) return { file, ok: false, error: { code: error.code, message: error.message } };
    logger.error({ err: error }, 'unexpected error while scoring a file');
    return { file, ok: false, error: { code: 'INTERNAL', message: 'Internal error' } };
  }
}

/** Scores the files with at most FILES_IN_FLIGHT at once; yields results in input order. */
async function* scoreFiles(files: readonly string[], model: ScoreModel, logger: Logger): AsyncGenerator<FileResult> {
  const pending: Promise<FileResult>[] = [];
  let next = 0;
  const startNext = (): void => {
    if (next < files.length) pending.push(scoreFile(files[next++], model, logger));
  };
  for (let i = 0; i < FILES_IN_FLIGHT; i++) startNext();
  for (let i = 0; i < files.length; i++) {
    const result = await pending[i];
    startNext();
    yield result;
  }
}

async function runScore(command: ScoreCommand, io: CliIo): Promise<number> {
  const logger = createLogger({ level: command.verbose ? 'debug' : 'warn', destination: 'stderr', name: 'brixia-cli' });
  const progress = new ProgressReporter(command.progress ?? io.stderrIsTerminal === true, io.stderr);
  let model: ScoreModel;
  try {
    progress.loadingModel();
    model = await loadOrtScoreModel({ modelDir: command.modelDir, executionProviders: command.executionProviders, logger });
    progress.modelLoaded(`${model.identity.name} ${model.identity.version}`, model.executionProvider);
  } catch (error) {
    io.stderr(`${errorLine('model', isAppError(error) ? `${error.message} (${error.code})` : String(error))}\n`);
    return EXIT_FAILED;
  }
  // The manifest names the preprocessing the model was trained with; this build must implement that one.
  if (model.identity.preprocessingId !== PREPROCESSING_ID) {
    await model.close();
    const message = `the model expects preprocessing "${model.identity.preprocessingId}", this build implements "${PREPROCESSING_ID}" (INFERENCE.MODEL_INVALID)`;
    io.stderr(`${errorLine('model', message)}\n`);
    return EXIT_FAILED;
  }
  const results: FileResult[] = [];
  // The table's width is known from the names, so each row can be printed as soon as its file is scored.
  const width = Math.max(4, ...command.files.map((file) => file.length));
  if (!command.json) io.stdout(`${tableHeader(width)}\n`);
  progress.start(command.files.length);
  try {
    for await (const result of scoreFiles(command.files, model, logger)) {
      results.push(result);
      progress.fileDone();
      if (!result.ok) io.stderr(`${errorLine(result.file, result.error.message)}\n`);
      io.stdout(`${command.json ? jsonLine(result, model.identity) : tableRow(result, width)}\n`);
    }
  } finally {
    progress.finish();
    await model.close();
  }
  if (!command.json) io.stdout(`\n${tableFooter(model.identity, model.executionProvider)}\n`);
  return results.every((r) => r.ok) ? EXIT_OK : EXIT_FAILED;
}

/** The `brixia` command line: parses argv (without node and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const command = parseCliArgs(argv);
  switch (command.kind) {
    case 'help':
      io.stdout(USAGE);
      return EXIT_OK;
    case 'usage-error':
      io.stderr(`error: ${command.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    case 'score':
      return runScore(command, io);
    case 'sample': {
      const written = await writeSample(command.dir);
      io.stdout(`${written.dicom}\n${written.png}\n`);
      io.stderr('synthetic chest-like radiograph (generated pixels, no patient data); try: npm run --silent brixia -- score ' + written.dicom + '\n');
      return EXIT_OK;
    }
  }
}
