import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { useResource } from "@/hooks/use-resource";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("useResource", () => {
  it("drops a stale answer when its input changed meanwhile", async () => {
    const calls = new Map<string, ReturnType<typeof deferred<string>>>();
    const { result, rerender } = renderHook(({ id }) => useResource(() => {
      const d = deferred<string>();
      calls.set(id, d);
      return d.promise;
    }, [id]), { initialProps: { id: "a" } });
    rerender({ id: "b" });
    await act(async () => calls.get("b")!.resolve("B"));
    await act(async () => calls.get("a")!.resolve("A"));
    expect(result.current).toMatchObject({ status: "ready", data: "B" });
  });

  it("keeps the last data on an error and loads again on reload", async () => {
    let attempt = 0;
    const { result } = renderHook(() => useResource(async () => {
      attempt += 1;
      if (attempt === 2) throw new Error("Server busy.");
      return attempt;
    }, []));
    await waitFor(() => expect(result.current.status).toBe("ready"));
    act(() => result.current.reload());
    await waitFor(() => expect(result.current.status).toBe("error"));
    expect(result.current.data).toBe(1);
    act(() => result.current.reload());
    await waitFor(() => expect(result.current).toMatchObject({ status: "ready", data: 3 }));
  });
});
