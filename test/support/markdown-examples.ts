/**
 * The runnable examples of the project's Markdown (README.md, docs/*.md), as the README's "How to read the
 * examples" describes them: ```bash blocks are one terminal session in document order, ```graphql blocks
 * paste into the explorer (a `# variables:` line is its Variables pane), and a block right after an
 * `<!-- not run … -->` comment is left out.
 */

export interface ShellCommand {
  readonly file: string;
  /** 1-based line of the command's first physical line. */
  readonly line: number;
  /** The command as written (continuation lines joined with their backslash-newline). */
  readonly text: string;
  /** From a trailing `# expect <status>`: the HTTP status every curl of the command must answer. */
  readonly expectedStatus?: number;
  readonly usesCurl: boolean;
}

export interface GraphqlExample {
  readonly file: string;
  readonly line: number;
  readonly query: string;
  /** The `# variables:` JSON as written (may name session variables as `$NAME`). */
  readonly variables?: string;
}

export interface MarkdownExamples {
  readonly shell: readonly ShellCommand[];
  readonly graphql: readonly GraphqlExample[];
  /** Blocks left out on purpose, with the reason their comment gives. */
  readonly notRun: readonly { file: string; line: number; reason: string }[];
}

const FENCE = /^(\s*)```\s*([A-Za-z]*)\s*$/;
const NOT_RUN = /^\s*<!--\s*not run\b(.*?)-->\s*$/;
const EXPECT = /#\s*expect\s+(\d{3})\s*$/;

interface Block {
  readonly language: string;
  readonly line: number;
  readonly lines: readonly string[];
  readonly notRun?: string;
}

function blocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const found: Block[] = [];
  let previous = '';
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) {
      if (lines[i].trim() !== '') previous = lines[i];
      continue;
    }
    const indent = open[1].length;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j])) body.push(lines[j++].slice(indent));
    const notRun = NOT_RUN.exec(previous);
    found.push({ language: open[2], line: i + 2, lines: body, notRun: notRun ? notRun[1].replace(/^[\s:]+/, '').trim() : undefined });
    previous = '';
    i = j;
  }
  return found;
}

function shellCommands(file: string, block: Block): ShellCommand[] {
  const commands: ShellCommand[] = [];
  for (let i = 0; i < block.lines.length; i++) {
    const first = i;
    let text = block.lines[i];
    while (text.endsWith('\\') && i + 1 < block.lines.length) text += `\n${block.lines[++i]}`;
    if (text.trim() === '' || text.trim().startsWith('#')) continue;
    const expected = EXPECT.exec(text);
    commands.push({ file, line: block.line + first, text, expectedStatus: expected ? Number(expected[1]) : undefined, usesCurl: /(^|[\s;|&$(])curl\s/.test(text) });
  }
  return commands;
}

function graphqlExample(file: string, block: Block): GraphqlExample {
  const variables = block.lines.map((line) => /^\s*#\s*variables:\s*(.+)$/.exec(line)?.[1]).find((v) => v !== undefined);
  return { file, line: block.line, query: block.lines.join('\n'), variables };
}

/** The examples of one Markdown file (`file` is how failures name it). */
export function extractExamples(file: string, markdown: string): MarkdownExamples {
  const shell: ShellCommand[] = [];
  const graphql: GraphqlExample[] = [];
  const notRun: { file: string; line: number; reason: string }[] = [];
  for (const block of blocks(markdown)) {
    if (block.language !== 'bash' && block.language !== 'graphql') continue;
    if (block.notRun !== undefined) notRun.push({ file, line: block.line, reason: block.notRun });
    else if (block.language === 'bash') shell.push(...shellCommands(file, block));
    else graphql.push(graphqlExample(file, block));
  }
  return { shell, graphql, notRun };
}

/** Marker lines the generated script writes to stderr. */
const MARK = '@@readme';

/**
 * One bash script for the whole session: each command preceded by its README line (so each curl's
 * status can be traced back to it) and followed by its exit status. `curl` is wrapped to report every
 * HTTP status on stderr (`-w '%{stderr}…'`, stdout untouched). Unset variables stop the script (`set -u`),
 * pipelines fail when any part fails, and every variable is exported so `variablesFile` gets them.
 */
export function sessionScript(commands: readonly ShellCommand[], rewrite: (text: string) => string, variablesFile: string): string {
  const out = [
    'set -u -o pipefail',
    'set -a',
    `curl() { command curl "$@" -w "%{stderr}\\n${MARK}-curl \${__readme_line} %{http_code}\\n"; }`,
  ];
  commands.forEach((command, index) => {
    out.push(`__readme_line=${index}`, rewrite(command.text), `echo "${MARK}-exit ${index} $?" >&2`);
  });
  out.push(`node -e 'process.stdout.write(JSON.stringify(process.env))' > ${JSON.stringify(variablesFile)}`);
  return `${out.join('\n')}\n`;
}

/** What the session did per command: its exit status (absent: the shell stopped before it ended) and curl statuses. */
export function sessionResults(stderr: string, count: number): { exit?: number; statuses: number[] }[] {
  const results = Array.from({ length: count }, () => ({ exit: undefined as number | undefined, statuses: [] as number[] }));
  for (const match of stderr.matchAll(new RegExp(`^${MARK}-(curl|exit) (\\d+) (\\d+)$`, 'gm'))) {
    const result = results[Number(match[2])];
    if (!result) continue;
    if (match[1] === 'exit') result.exit = Number(match[3]);
    else result.statuses.push(Number(match[3]));
  }
  return results;
}

/** Why one command failed, or undefined when it did what the README says. */
export function commandFailure(command: ShellCommand, result: { exit?: number; statuses: readonly number[] }): string | undefined {
  if (result.exit === undefined) return 'the shell stopped here (an unset variable, or a command killed it)';
  if (result.exit !== 0) return `exit status ${result.exit}`;
  if (!command.usesCurl) return undefined;
  if (result.statuses.length === 0) return 'curl never ran';
  const wrong = result.statuses.filter((status) => (command.expectedStatus === undefined ? status === 0 || status >= 400 : status !== command.expectedStatus));
  if (wrong.length > 0) return `HTTP ${wrong.join(', ')} (expected ${command.expectedStatus ?? 'a status below 400'})`;
  return undefined;
}

/** The Variables pane of a GraphQL example, `$NAME` replaced with the session's variable (throws when unset). */
export function graphqlVariables(example: GraphqlExample, session: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  if (example.variables === undefined) return {};
  const text = example.variables.replace(/\$([A-Z][A-Z0-9_]*)/g, (_all, name: string) => {
    const value = session[name];
    if (value === undefined || value === '') throw new Error(`${example.file}:${example.line}: the session has no ${name}`);
    return JSON.stringify(value).slice(1, -1);
  });
  return JSON.parse(text) as Record<string, unknown>;
}
