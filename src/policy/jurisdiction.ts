import type { Authority, Organisation } from './model.js';

/**
 * R10.3: which authority may approve a grant to a consumer. The head of the
 * NPD authority approves central agencies and digital-signature / e-ID
 * providers; a provincial police director approves provincial agencies,
 * notaries, bailiffs and other public-service organisations of that
 * province. Credit institutions and telcos are not named by the rule: they
 * are licensed nationally, so the NPD authority approves them (docs/policy.md).
 */
export function requiredAuthority(consumer: Organisation): Authority | { problem: string } {
  switch (consumer.kind) {
    case 'digital-signature-provider':
    case 'e-id-provider':
    case 'credit-institution':
    case 'telco':
      return { kind: 'npd-authority' };
    case 'notary':
    case 'bailiff':
    case 'other-public-service':
      return provincial(consumer);
    case 'state-agency':
    case 'political-organisation':
      return consumer.level === 'central' ? { kind: 'npd-authority' } : provincial(consumer);
  }
}

function provincial(org: Organisation): Authority | { problem: string } {
  if (!org.province)
    return {
      problem: `organisation ${org.id} has no province: its provincial police cannot be named`,
    };
  return { kind: 'provincial-police', province: org.province };
}

/** Why `approver` may not approve grants to `consumer`, or undefined when it may. */
export function outsideJurisdiction(
  approver: Authority,
  consumer: Organisation,
): string | undefined {
  const need = requiredAuthority(consumer);
  if ('problem' in need) return need.problem;
  if (need.kind === 'npd-authority')
    return approver.kind === 'npd-authority'
      ? undefined
      : `a ${consumer.level} ${consumer.kind} is approved by the NPD authority, not a provincial police director (R10.3)`;
  if (approver.kind === 'provincial-police' && approver.province === need.province)
    return undefined;
  return `a ${consumer.level} ${consumer.kind} of province ${need.province} is approved by that province's police director (R10.3)`;
}
