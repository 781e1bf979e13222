import { ProgressReporter, formatDuration } from './progress';

describe('ProgressReporter', () => {
  it('reports model load, n of N and the time left from the mean time per file', () => {
    const lines: string[] = [];
    let now = 0;
    const progress = new ProgressReporter(true, (text) => lines.push(text), () => now);
    progress.loadingModel();
    now = 1500;
    progress.modelLoaded('bsnet 0.2.0', 'cpu');
    progress.start(3);
    now = 3500;
    progress.fileDone();
    now = 5500;
    progress.fileDone();
    now = 7500;
    progress.fileDone();
    progress.finish();
    expect(lines).toEqual([
      'brixia: loading the model…\n',
      'brixia: model bsnet 0.2.0 loaded in 1.5 s (cpu)\n',
      'brixia: 1 of 3 files scored, about 4 s left\n',
      'brixia: 2 of 3 files scored, about 2 s left\n',
      'brixia: 3 of 3 files scored\n',
    ]);
  });

  it('says where it stopped when the run ends early, and prints nothing when disabled', () => {
    const lines: string[] = [];
    const progress = new ProgressReporter(true, (text) => lines.push(text), () => 0);
    progress.start(2);
    progress.fileDone();
    progress.finish();
    expect(lines.at(-1)).toBe('brixia: stopped after 1 of 2 files\n');
    const silent: string[] = [];
    const off = new ProgressReporter(false, (text) => silent.push(text));
    off.loadingModel();
    off.start(1);
    off.fileDone();
    expect(silent).toEqual([]);
  });

  it('formats durations coarsely', () => {
    expect(formatDuration(0)).toBe('1 s');
    expect(formatDuration(59_400)).toBe('59 s');
    expect(formatDuration(80_000)).toBe('1 min 20 s');
  });
});
