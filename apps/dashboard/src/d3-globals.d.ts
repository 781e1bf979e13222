// The parts of d3 (served as its UMD bundle from npm, a global) that the dashboard uses.
interface D3TimeScale {
  (value: Date): number;
  domain(values: [Date, Date]): D3TimeScale;
  range(values: [number, number]): D3TimeScale;
  nice(): D3TimeScale;
  ticks(count: number): Date[];
  tickFormat(): (value: Date) => string;
}
interface D3LinearScale {
  (value: number): number;
  domain(values: [number, number]): D3LinearScale;
  range(values: [number, number]): D3LinearScale;
}
declare const d3: {
  scaleTime(): D3TimeScale;
  scaleLinear(): D3LinearScale;
  utcFormat(specifier: string): (value: Date) => string;
};
