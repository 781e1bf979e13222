/**
 * `brixia` command line: `npm run --silent brixia -- score a.dcm b.png --json`.
 * Results go to stdout, logs and errors to stderr; no database or server needed.
 */
import { runCli } from './score-command';

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTerminal: process.stderr.isTTY === true,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
