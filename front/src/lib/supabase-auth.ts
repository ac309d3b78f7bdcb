import type { Session as SupabaseSession, SupabaseClient } from "@supabase/supabase-js";
import type { AuthDriver, Session } from "@/lib/auth";

function toSession(s: SupabaseSession | null): Session | null {
  if (!s) return null;
  return { token: s.access_token, expiresAt: s.expires_at ?? 0, user: { id: s.user.id, email: s.user.email ?? "" } };
}

/** Supabase Auth (Google OAuth, magic link, 6-digit code). The SDK is imported only in this mode. */
export class SupabaseAuth implements AuthDriver {
  readonly mode = "supabase" as const;
  private session: Session | null = null;
  private readonly listeners = new Set<() => void>();

  private constructor(private readonly client: SupabaseClient) {
    client.auth.onAuthStateChange((_event, s) => this.set(toSession(s)));
  }

  static async create(url: string, publishableKey: string): Promise<SupabaseAuth> {
    const { createClient } = await import("@supabase/supabase-js");
    const auth = new SupabaseAuth(createClient(url, publishableKey, { auth: { persistSession: true, autoRefreshToken: true } }));
    const { data } = await auth.client.auth.getSession();
    auth.set(toSession(data.session));
    return auth;
  }

  current = () => this.session;

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getToken = async (options: { forceRefresh?: boolean } = {}): Promise<string | null> => {
    if (options.forceRefresh) {
      const { data } = await this.client.auth.refreshSession();
      return data.session?.access_token ?? null;
    }
    // getSession refreshes an expired access token itself; the stream already holds its token, so nothing is cut.
    const { data } = await this.client.auth.getSession();
    return data.session?.access_token ?? null;
  };

  async signInWithGoogle(returnTo: string): Promise<void> {
    const { error } = await this.client.auth.signInWithOAuth({ provider: "google", options: { redirectTo: returnTo } });
    if (error) throw new Error(error.message);
  }

  /** Sends an e-mail with both a magic link and a 6-digit code (the project's e-mail template decides). */
  async sendEmail(email: string, returnTo: string): Promise<void> {
    const { error } = await this.client.auth.signInWithOtp({ email, options: { emailRedirectTo: returnTo } });
    if (error) throw new Error(error.message);
  }

  async verifyCode(email: string, code: string): Promise<void> {
    const { error } = await this.client.auth.verifyOtp({ email, token: code, type: "email" });
    if (error) throw new Error(error.message);
  }

  signOut = async () => {
    await this.client.auth.signOut();
    this.set(null);
  };

  private set(session: Session | null) {
    const changed = session?.token !== this.session?.token || session?.user.id !== this.session?.user.id;
    this.session = session;
    if (changed) for (const l of [...this.listeners]) l();
  }
}
