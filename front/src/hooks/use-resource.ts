import { type DependencyList, useCallback, useEffect, useState } from "react";

export type Resource<T> =
  | { status: "loading"; data: T | null; error: null }
  | { status: "ready"; data: T; error: null }
  | { status: "error"; data: T | null; error: unknown };

/**
 * Loads data for the current inputs; a stale response (inputs changed, or unmounted) is dropped through the abort
 * signal. `reload` runs it again, keeping the previous data on screen meanwhile.
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): Resource<T> & { reload: () => void } {
  const [state, setState] = useState<Resource<T>>({ status: "loading", data: null, error: null });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ status: "loading", data: s.data, error: null }));
    load(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ status: "ready", data, error: null }),
      (error: unknown) => !controller.signal.aborted && setState((s) => ({ status: "error", data: s.data, error })),
    );
    return () => controller.abort();
    // The caller lists the inputs of `load` in `deps`, as with useEffect.
  }, [...deps, attempt]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...state, reload };
}
