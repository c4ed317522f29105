import type { StageFactory } from '../deps.js';

/**
 * The connection test (R3) answers what each stage saw instead of the bare
 * provider reply, so an onboarding engineer sees where a setup goes wrong.
 */
export const report: StageFactory = {
  name: 'report',
  create(route) {
    if (!route.report) return null;
    return (ex) => {
      const provider = ex.reply!;
      ex.reply = {
        contentType: 'application/json',
        headers: {},
        body: {
          ok: true,
          exchangeId: ex.id,
          route: route.id,
          service: route.service,
          caller: ex.caller ? { clientId: ex.caller.clientId, orgId: ex.caller.orgId } : null,
          stages: ex.stages.map((s) => ({
            stage: s.stage,
            ms: Math.round(s.ms * 1000) / 1000,
            saw: s.saw ?? {},
          })),
          provider: provider.body,
        },
      };
      return { stages: ex.stages.length };
    };
  },
};
