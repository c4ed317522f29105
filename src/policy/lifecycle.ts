import type { Connection, ConnectionState } from './model.js';

/**
 * The connection lifecycle (R3, R6): registered → testing (connection test
 * passed) → active ⇄ suspended → terminated. Termination is possible from
 * every state but itself, and final.
 */
const NEXT: Readonly<Record<ConnectionState, readonly ConnectionState[]>> = {
  registered: ['testing', 'terminated'],
  testing: ['active', 'terminated'],
  active: ['suspended', 'terminated'],
  suspended: ['active', 'terminated'],
  terminated: [],
};

/** Why the connection cannot go to `to`, or undefined when it can. */
export function transitionProblem(c: Connection, to: ConnectionState): string | undefined {
  if (!NEXT[c.state].includes(to))
    return `a ${c.state} connection cannot become ${to} (allowed: ${NEXT[c.state].join(', ') || 'none'})`;
  return undefined;
}

/** R1.3: a connection over another path is activated only with its approval record. */
export function activationProblem(c: Connection, to: ConnectionState): string | undefined {
  if (to === 'active' && c.path === 'other' && !c.approval)
    return 'a connection over a path other than ndxp, lgsp or vdxp needs an approval record (security assessment, approver, date, reference) before it is activated (R1.3)';
  return undefined;
}
