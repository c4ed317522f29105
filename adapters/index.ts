import { AdapterRegistry } from '../src/adapter/registry.js';
import http from './http/index.js';
import soap from './soap/index.js';
import npd from './npd/index.js';
import npsp from './npsp/index.js';
import ndxp from './ndxp/index.js';
import vdxp, { vdxpFacade, vdxpHttp } from './vdxp/index.js';
import memq from './memq/index.js';
import amqp from './amqp/index.js';

/**
 * The built-in adapters. A new protocol is a new folder under adapters/ and
 * one line here; the core does not change.
 */
export function builtinAdapters(): AdapterRegistry {
  return new AdapterRegistry()
    .register(http)
    .register(soap)
    .register(npd)
    .register(npsp)
    .register(ndxp)
    .register(vdxp)
    .register(vdxpHttp)
    .register(vdxpFacade)
    .register(memq)
    .register(amqp);
}
