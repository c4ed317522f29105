export * from './errors.js';
export * from './ids.js';
export type * from './message.js';
export { withLazyBody } from './lazy-body.js';
export * from './disposition.js';
export { traceFrom, type TraceContext } from './trace.js';
