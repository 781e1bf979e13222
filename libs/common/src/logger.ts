import pino from 'pino';
import pinoPretty from 'pino-pretty';

/**
 * Logger port: JSON lines with level, time, msg and structured fields (requestId, jobId,
 * resource ids, modelVersion, executionProvider, durationMs). Never log PHI.
 */
export interface Logger {
  debug(fields: Record<string, unknown>, msg: string): void;
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  readonly level?: string;
  readonly name?: string;
  /** Where lines go; stderr keeps stdout free for CLIs that print results. */
  readonly destination?: 'stdout' | 'stderr';
  /** `json` (default): one JSON object per line for collectors; `pretty`: coloured lines for a person. */
  readonly format?: 'json' | 'pretty';
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const fd = options.destination === 'stderr' ? 2 : 1;
  const destination =
    options.format === 'pretty'
      ? pinoPretty({ destination: fd, sync: true, colorize: Boolean((fd === 2 ? process.stderr : process.stdout).isTTY), translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
      : pino.destination({ fd, sync: true });
  return pino(
    {
      level: options.level ?? 'info',
      name: options.name,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  ) as unknown as Logger;
}

/** A logger that drops everything (tests, library defaults). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
