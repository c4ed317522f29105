export * from './jwk.js';
export * from './jws.js';
export * from './jwt.js';
export * from './keyring.js';
export * from './peer-keys.js';
export * from './freshness.js';
export * from './secret.js';
