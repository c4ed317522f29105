import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/schema.js';
import type { Credential } from '../identity/bearer.js';
import type { Store } from '../store/store.js';
import { WebhookNotifier } from './notifier.js';
import { PolicyRepo } from './repo.js';
import { PolicyService } from './service.js';
import type { PolicySnapshot } from './snapshot.js';

/** The policy of a gateway from its config (`policy:`), loaded and polling. */
export async function startPolicy(
  config: Pick<GatewayConfig, 'policy'>,
  store: Store,
  log: Logger,
): Promise<PolicyService> {
  const hook = config.policy.disputeWebhook;
  const policy = new PolicyService(new PolicyRepo(store), {
    log,
    reloadIntervalMs: config.policy.reloadIntervalMs,
    accountSecretMaxAgeDays: config.policy.accountSecretMaxAgeDays,
    maxOpenDataErrorsPerOrg: config.policy.maxOpenDataErrorsPerOrg,
    notifier: hook ? new WebhookNotifier({ ...hook, log }) : undefined,
  });
  await policy.start();
  return policy;
}

/** A client registered in the model, as identity sees it (active ones only). */
export function registeredCredential(snap: PolicySnapshot, id: string): Credential | undefined {
  const c = snap.clients.get(id);
  if (!c || c.status !== 'active') return undefined;
  return {
    id: c.id,
    orgId: c.org,
    secretHash: c.secretHash,
    // Decided by the model only: a registered client has no config routes.
    routes: [],
    roles: c.roles,
    subsystem: c.subsystem,
  };
}
