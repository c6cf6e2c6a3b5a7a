// Globals the k6 runtime provides that @types/k6 does not declare (the tsconfig leaves out the DOM
// library on purpose, so that browser-only APIs fail the type check).
declare var console: {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
};
