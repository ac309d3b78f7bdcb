import { useResource } from "@/hooks/use-resource";
import { eveningOpen } from "@/lib/trade-dates";
import { useServices, useStoreState } from "@/state/services";

/**
 * `eveningOpen` of an instrument, from the workspace when it is there, else fetched; only when `needed` (a table
 * with trade dates), so other cards cost no request. Null until known.
 */
export function useEveningOpen(symbol: string, needed: boolean): number | null {
  const { api, workspace } = useServices();
  const upper = symbol.toUpperCase();
  const listed = useStoreState(workspace).instruments.find((i) => i.symbol === upper);
  const fetched = useResource((signal) => (needed && !listed ? api.instrument(upper, signal) : Promise.resolve(null)), [api, upper, needed, !!listed]);
  const instrument = listed ?? fetched.data;
  return instrument ? eveningOpen(instrument) : null;
}
