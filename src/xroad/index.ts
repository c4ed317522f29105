/**
 * The X-Road message protocol (NDXP, DOMAIN.md §1), shared by adapters/ndxp
 * (both sides and the security-server simulator) and adapters/npd (the NPD
 * reached through NDXP), which may not import each other.
 */
export * from './ids.js';
export * from './soap-header.js';
export * from './rest.js';
export * from './faults.js';
export * from './reply.js';
export * from './parties.js';
