import type { ApiClient } from "@/lib/api";
import type { User } from "@/lib/api-types";

export interface Session {
  token: string;
  /** Epoch seconds. */
  expiresAt: number;
  user: User;
}

/** One sign-in mechanism (local e-mail or Supabase) behind the same small surface. */
export interface AuthDriver {
  readonly mode: "local" | "supabase";
  current(): Session | null;
  subscribe(listener: () => void): () => void;
  /** A valid access token, refreshed when it is about to expire (or when asked to after a 401). */
  getToken(options?: { forceRefresh?: boolean }): Promise<string | null>;
  signOut(): Promise<void>;
}

const LOCAL_KEY = "barb-session";
const REFRESH_MARGIN_S = 60;

function readLocal(): Session | null {
  try {
    const raw = localStorage.getItem(LOCAL_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    return typeof s.token === "string" && s.user && typeof s.user.email === "string" ? s : null;
  } catch {
    return null;
  }
}

/**
 * Local mode: the server is its own issuer. An expiring token is renewed by signing in again with the same
 * e-mail, which the local issuer allows without a password (it is refused in production).
 */
export class LocalAuth implements AuthDriver {
  readonly mode = "local" as const;
  private session: Session | null = readLocal();
  private readonly listeners = new Set<() => void>();
  private refreshing: Promise<string | null> | null = null;

  constructor(private readonly api: ApiClient) {}

  current = () => this.session;

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  async signIn(email: string): Promise<Session> {
    const result = await this.api.localSignIn(email.trim());
    this.set({ token: result.access_token, expiresAt: result.expires_at, user: result.user });
    return this.session!;
  }

  getToken = async (options: { forceRefresh?: boolean } = {}): Promise<string | null> => {
    const session = this.session;
    if (!session) return null;
    const expiring = session.expiresAt - Date.now() / 1000 < REFRESH_MARGIN_S;
    if (!options.forceRefresh && !expiring) return session.token;
    this.refreshing ??= this.signIn(session.user.email)
      .then((s) => s.token)
      .catch(() => null)
      .finally(() => (this.refreshing = null));
    return this.refreshing;
  };

  signOut = async () => this.set(null);

  private set(session: Session | null) {
    this.session = session;
    if (session) localStorage.setItem(LOCAL_KEY, JSON.stringify(session));
    else localStorage.removeItem(LOCAL_KEY);
    for (const l of [...this.listeners]) l();
  }
}
