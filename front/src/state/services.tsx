import { createContext, type ReactNode, use, useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { ApiClient } from "@/lib/api";
import type { AppConfig } from "@/lib/api-types";
import { type AuthDriver, LocalAuth, type Session } from "@/lib/auth";
import { ChatStore } from "@/lib/chat-store";
import { WorkspaceStore } from "@/lib/workspace-store";

export interface Services {
  config: AppConfig;
  api: ApiClient;
  auth: AuthDriver;
  chat: ChatStore;
  workspace: WorkspaceStore;
  /** Signs out cleanly: stops streams, forgets cached data, then ends the session. */
  signOut: () => Promise<void>;
}

const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = use(ServicesContext);
  if (!services) throw new Error("useServices must be used inside <ServicesProvider>");
  return services;
}

export function useSession(): Session | null {
  const { auth } = useServices();
  return useSyncExternalStore(auth.subscribe, auth.current, auth.current);
}

function clearCaches() {
  for (const key of Object.keys(localStorage)) if (key.startsWith("barb:")) localStorage.removeItem(key);
}

async function bootstrap(): Promise<Omit<Services, "signOut"> & { signOutRef: { current: () => Promise<void> } }> {
  const publicApi = new ApiClient();
  const config = await publicApi.config();
  let auth: AuthDriver;
  if (config.auth === "supabase" && config.supabase_url && config.supabase_publishable_key) {
    const { SupabaseAuth } = await import("@/lib/supabase-auth");
    auth = await SupabaseAuth.create(config.supabase_url, config.supabase_publishable_key);
  } else {
    auth = new LocalAuth(publicApi);
  }
  const signOutRef = { current: async () => undefined as void };
  const api = new ApiClient({
    streamBaseUrl: config.chat_stream_url,
    tokens: { getToken: auth.getToken, onUnauthorized: () => void signOutRef.current() },
  });
  const workspace = new WorkspaceStore(api);
  const chat = new ChatStore(api, {
    onTitle: (id, title) => workspace.setTitle(id, title),
    onSettled: (id) => workspace.touch(id),
  });
  return { config, api, auth, chat, workspace, signOutRef };
}

interface ServicesProviderProps {
  children: ReactNode;
  /** Shown while the configuration loads. */
  loading: ReactNode;
  /** Shown when it could not load, with a way to try again. */
  failed: (error: unknown, retry: () => void) => ReactNode;
}

/**
 * Loads `/api/config`, picks the auth mode it names, and provides the API client and stores to the app. What shows
 * before that (`loading`, `failed`) is the app's to draw: state knows no components.
 */
export function ServicesProvider({ children, loading, failed }: ServicesProviderProps) {
  const [state, setState] = useState<{ services: Services | null; error: unknown }>({ services: null, error: null });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    bootstrap().then(
      ({ signOutRef, ...rest }) => {
        if (cancelled) return;
        const signOut = async () => {
          rest.chat.reset();
          rest.workspace.reset();
          clearCaches();
          await rest.auth.signOut();
        };
        signOutRef.current = signOut;
        setState({ services: { ...rest, signOut }, error: null });
      },
      (error: unknown) => !cancelled && setState({ services: null, error }),
    );
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  const retry = useCallback(() => {
    setState({ services: null, error: null });
    setAttempt((n) => n + 1);
  }, []);

  if (state.error) return failed(state.error, retry);
  if (!state.services) return loading;
  return <ServicesContext value={state.services}>{children}</ServicesContext>;
}

/** Forgets the previous user's data when a different user signs in (account switch in another tab). */
export function useUserSwitchReset(): void {
  const { chat, workspace } = useServices();
  const session = useSession();
  const userId = session?.user.id ?? null;
  const previous = useRef(userId);
  useEffect(() => {
    if (previous.current !== null && userId !== null && previous.current !== userId) {
      chat.reset();
      workspace.reset();
    }
    previous.current = userId;
  }, [chat, workspace, userId]);
}

export function useStoreState<T>(store: { subscribe: (l: () => void) => () => void; get: () => T }): T {
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}
