export * from './protected-call.js';
export * from './classify.js';
export * from './backoff.js';
