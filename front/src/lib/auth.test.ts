import { afterEach, describe, expect, it, vi } from "vitest";
import type { ApiClient } from "@/lib/api";
import { LocalAuth } from "@/lib/auth";

afterEach(() => localStorage.clear());

function fakeApi(ttlSeconds: number) {
  let n = 0;
  const localSignIn = vi.fn(async (email: string) => ({
    access_token: `token-${++n}`,
    expires_at: Date.now() / 1000 + ttlSeconds,
    user: { id: "u1", email },
  }));
  return { api: { localSignIn } as unknown as ApiClient, localSignIn };
}

describe("LocalAuth", () => {
  it("signs in, keeps the session across reloads and signs out", async () => {
    const { api } = fakeApi(3600);
    const auth = new LocalAuth(api);
    await auth.signIn(" Trader@Example.com ");
    expect(new LocalAuth(api).current()?.token).toBe("token-1");
    await auth.signOut();
    expect(auth.current()).toBeNull();
    expect(new LocalAuth(api).current()).toBeNull();
  });

  it("renews a token that is about to expire, once for concurrent callers", async () => {
    const { api, localSignIn } = fakeApi(30);
    const auth = new LocalAuth(api);
    await auth.signIn("t@example.com");
    const [a, b] = await Promise.all([auth.getToken(), auth.getToken()]);
    expect([a, b]).toEqual(["token-2", "token-2"]);
    expect(localSignIn).toHaveBeenCalledTimes(2);
  });

  it("keeps a fresh token until a refresh is forced", async () => {
    const { api } = fakeApi(3600);
    const auth = new LocalAuth(api);
    await auth.signIn("t@example.com");
    expect(await auth.getToken()).toBe("token-1");
    expect(await auth.getToken({ forceRefresh: true })).toBe("token-2");
  });
});
