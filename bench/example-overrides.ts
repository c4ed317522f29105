import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** Where the bench's own far sides listen, in place of the example config's simulators. */
export interface FarSides {
  provider: string;
  npd: string;
  /** The security-server simulator; without one the NDXP endpoint points at the NPD (nothing calls it). */
  securityServer?: string;
}

/**
 * Overrides that take the example config's test provider, NPD and NDXP
 * simulators out of the gateway's process (each runs as its own process, so
 * the gateway's CPU is its own) and point every endpoint that used one at
 * the bench's process instead. Read from the checkout's lienthong.yaml, so an
 * example endpoint added later needs no edit here; simulators the bench does
 * not replace (the VDXP axis) stay in.
 */
export function farSideOverrides(sides: FarSides, root: string) {
  const example = parse(readFileSync(join(root, 'lienthong.yaml'), 'utf8')) as {
    simulators?: { name: string }[];
    endpoints?: Record<string, { simulator?: string }>;
  };
  const replaced: Record<string, string> = {
    'test-provider': sides.provider,
    npd: sides.npd,
    ndxp: sides.securityServer ?? sides.npd,
  };
  // The NPD behind the security server is only the NDXP simulator's far side.
  const dropped = new Set([...Object.keys(replaced), 'npd-behind-ndxp']);
  const endpoints: Record<string, { simulator: null; url: string }> = {};
  for (const [name, ep] of Object.entries(example.endpoints ?? {}))
    if (ep.simulator && ep.simulator in replaced)
      endpoints[name] = { simulator: null, url: replaced[ep.simulator] };
  return {
    simulators: (example.simulators ?? []).filter((s) => !dropped.has(s.name)),
    peers: { 'test-provider': { jwksUrl: `${sides.provider}/.well-known/jwks.json` } },
    endpoints,
  };
}
