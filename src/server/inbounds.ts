import type { AdapterRegistry } from '../adapter/registry.js';
import type { HttpHost } from '../adapter/http-host.js';
import type {
  BindingGroup,
  BoundRoute,
  DispatchInit,
  DispatchResult,
  InboundBinding,
  InboundContext,
  InboundSide,
} from '../adapter/spec.js';
import { dispositionOf, GatewayError, toGatewayError, type Exchange } from '../message/index.js';
import type { CompiledRoute } from '../pipeline/runtime.js';

/** What every inbound gets, whatever its kind. */
export type SharedInboundContext = Omit<InboundContext, 'dispatch' | 'settle'>;

export interface RunningInbound {
  readonly kind: 'http' | 'background';
  readonly binding: InboundBinding;
}

/**
 * Groups the routes by adapter and the adapter's `group` key (SOAP operations
 * on one path form one group), in route order, and lets each adapter create
 * one binding per group. HTTP inbounds get the listener's host; background
 * ones (consumers, pollers) do not.
 */
export async function createInbounds(
  routes: ReadonlyMap<string, CompiledRoute>,
  adapters: AdapterRegistry,
  shared: SharedInboundContext,
  http: { host: HttpHost; publicUrl?: string },
): Promise<RunningInbound[]> {
  const groups = new Map<string, { side: InboundSide<unknown>; routes: BoundRoute<unknown>[] }>();
  for (const route of routes.values()) {
    const from = route.def.from;
    const side = adapters.get(from.adapter).inbound as InboundSide<unknown>;
    const key = `${from.adapter}\u0000${side.group?.(from) ?? `route:${route.def.id}`}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { side, routes: [] }));
    g.routes.push({ binding: from, route: route.def });
  }
  const out: RunningInbound[] = [];
  for (const { side, routes: members } of groups.values()) {
    const group = members as unknown as BindingGroup<unknown>;
    const own = new Map(members.map((m) => [m.route.id, routes.get(m.route.id)!]));
    const ctx = { ...shared, ...dispatcher(own) };
    const binding =
      side.kind === 'http'
        ? await side.create(group, { ...ctx, http: http.host, publicUrl: http.publicUrl })
        : await side.create(group, ctx);
    out.push({ kind: side.kind, binding });
  }
  return out;
}

/** dispatch and settle over the group's own routes; one route needs no routeId. */
function dispatcher(
  own: ReadonlyMap<string, CompiledRoute>,
): Pick<InboundContext, 'dispatch' | 'settle'> {
  const only = own.size === 1 ? [...own.values()][0] : undefined;
  const dispatch = (init: DispatchInit): Promise<Exchange> => {
    const target = init.routeId === undefined ? only : own.get(init.routeId);
    if (!target) {
      return Promise.reject(
        new GatewayError(
          'LT_INTERNAL',
          init.routeId === undefined
            ? 'an inbound serving several routes must name the route'
            : `route "${init.routeId}" is not bound by this inbound`,
        ),
      );
    }
    return target.run(init);
  };
  const settle = (init: DispatchInit): Promise<DispatchResult> =>
    dispatch(init).then(
      (exchange) => ({ kind: 'done', exchange }),
      (err: unknown) => {
        const error = toGatewayError(err);
        return { ...dispositionOf(error), error };
      },
    );
  return { dispatch, settle };
}
