import { describe, expect, it, vi } from "vitest";

const session = (token: string) => ({ access_token: token, expires_at: 2_000_000_000, user: { id: "u1", email: "t@example.com" } });
let listener: ((event: string, s: unknown) => void) | null = null;
const auth = {
  onAuthStateChange: vi.fn((cb: (event: string, s: unknown) => void) => {
    listener = cb;
    return { data: { subscription: { unsubscribe: () => undefined } } };
  }),
  getSession: vi.fn(async () => ({ data: { session: session("first") } })),
  refreshSession: vi.fn(async () => ({ data: { session: session("refreshed") } })),
  signInWithOAuth: vi.fn(async () => ({ error: null })),
  signInWithOtp: vi.fn(async () => ({ error: { message: "Email rate limit exceeded" } })),
  verifyOtp: vi.fn(async () => ({ error: null })),
  signOut: vi.fn(async () => ({ error: null })),
};
const createClient = vi.fn(() => ({ auth }));
vi.mock("@supabase/supabase-js", () => ({ createClient }));

describe("SupabaseAuth", () => {
  it("reads the session, refreshes on demand, follows auth events and passes the return path", async () => {
    const { SupabaseAuth } = await import("@/lib/supabase-auth");
    const driver = await SupabaseAuth.create("https://proj.supabase.co", "pk");
    expect(createClient).toHaveBeenCalledWith("https://proj.supabase.co", "pk", expect.anything());
    expect(driver.current()?.token).toBe("first");
    expect(await driver.getToken()).toBe("first");
    expect(await driver.getToken({ forceRefresh: true })).toBe("refreshed");

    const changed = vi.fn();
    driver.subscribe(changed);
    listener?.("TOKEN_REFRESHED", session("rotated"));
    expect(driver.current()?.token).toBe("rotated");
    expect(changed).toHaveBeenCalledTimes(1);

    await driver.signInWithGoogle("https://app/i/NQ");
    expect(auth.signInWithOAuth).toHaveBeenCalledWith({ provider: "google", options: { redirectTo: "https://app/i/NQ" } });
    await expect(driver.sendEmail("t@example.com", "https://app/")).rejects.toThrow("Email rate limit exceeded");
    await driver.verifyCode("t@example.com", "123456");
    expect(auth.verifyOtp).toHaveBeenCalledWith({ email: "t@example.com", token: "123456", type: "email" });
    await driver.signOut();
    expect(driver.current()).toBeNull();
  });
});
