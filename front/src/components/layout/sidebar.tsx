import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { Link, useMatch, useNavigate } from "react-router";
import { AddInstrumentDialog } from "@/components/layout/add-instrument-dialog";
import { Button, IconButton } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { Icon } from "@/components/ui/icon";
import { RowMenu } from "@/components/ui/row-menu";
import { Skeleton, Spinner } from "@/components/ui/spinner";
import { useFocusTrap } from "@/hooks/use-focus-trap";
import { useTheme } from "@/hooks/use-theme";
import type { Conversation } from "@/lib/api-types";
import { userMessage } from "@/lib/errors";
import { groupByDate } from "@/lib/date-groups";
import type { ThemePreference } from "@/lib/theme";
import { useServices, useSession, useStoreState } from "@/state/services";

const THEMES: ThemePreference[] = ["system", "light", "dark"];

function ConversationRow({ conversation, active }: { conversation: Conversation; active: boolean }) {
  const { chat, workspace } = useServices();
  const navigate = useNavigate();
  const streaming = useSyncExternalStore(chat.subscribe, () => chat.isStreaming(conversation.id));
  const [renaming, setRenaming] = useState(false);
  const [title, setTitle] = useState(conversation.title);
  const [error, setError] = useState<string | null>(null);
  const href = `/i/${encodeURIComponent(conversation.instrument)}/c/${encodeURIComponent(conversation.id)}`;

  const rename = async () => {
    setRenaming(false);
    if (!title.trim() || title === conversation.title) return;
    try {
      await workspace.renameConversation(conversation.id, title.trim());
    } catch (e) {
      setError(userMessage(e));
      setTitle(conversation.title);
    }
  };
  const remove = () => {
    // No confirmation: the chat can be brought back from the notice for a few seconds.
    workspace.deleteConversation(conversation.id);
    if (active) navigate(`/i/${encodeURIComponent(conversation.instrument)}`);
  };

  if (renaming) {
    return (
      <li className="sb-item">
        <form
          style={{ flex: 1 }}
          onSubmit={(e) => {
            e.preventDefault();
            void rename();
          }}
        >
          <input
            className="input"
            aria-label="Chat title"
            value={title}
            autoFocus
            onChange={(e) => setTitle(e.target.value)}
            onBlur={() => void rename()}
            onKeyDown={(e) => e.key === "Escape" && (setTitle(conversation.title), setRenaming(false))}
          />
        </form>
      </li>
    );
  }
  return (
    <li className="sb-item" title={error ?? undefined}>
      <Link to={href} aria-current={active ? "page" : undefined}>
        <span className="muted">{conversation.instrument}</span> {conversation.title}
      </Link>
      {streaming ? <Spinner label="Answering" /> : null}
      <RowMenu
        label={`Actions for ${conversation.title}`}
        items={[
          { label: "Rename", onSelect: () => setRenaming(true) },
          { label: "Delete", onSelect: remove },
        ]}
      />
      {error ? <span className="sr-only" role="alert">{error}</span> : null}
    </li>
  );
}

interface SidebarProps {
  open: boolean;
  /** On phones the sidebar is a modal drawer. */
  isPhone: boolean;
  onClose: () => void;
  onOpenPalette: () => void;
}

/** Workspace instruments, conversations grouped by date with search, New chat, theme and the account. */
export function Sidebar({ open, isPhone, onClose, onOpenPalette }: SidebarProps) {
  const { workspace, signOut } = useServices();
  const session = useSession();
  const state = useStoreState(workspace);
  const navigate = useNavigate();
  const theme = useTheme();
  const [search, setSearch] = useState("");
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const chatMatch = useMatch("/i/:symbol/c/:id");
  const instrumentMatch = useMatch("/i/:symbol/*");
  const closeRef = useRef<HTMLButtonElement>(null);
  const navRef = useRef<HTMLElement>(null);
  // The phone drawer is modal: it takes focus when it opens, so keyboard and screen-reader users land inside it, and
  // Tab stays inside until it closes (the layout makes the rest inert and returns focus to its opener).
  useEffect(() => {
    if (isPhone && open) closeRef.current?.focus();
  }, [isPhone, open]);
  useFocusTrap(navRef, isPhone && open);
  const currentSymbol = instrumentMatch?.params.symbol?.toUpperCase() ?? state.instruments[0]?.symbol ?? null;

  const filtered = useMemo(() => {
    const q = search.trim().toLowerCase();
    if (!q) return state.conversations;
    return state.conversations.filter((c) => c.title.toLowerCase().includes(q) || c.instrument.toLowerCase().includes(q));
  }, [search, state.conversations]);
  const groups = useMemo(() => groupByDate(filtered, (c) => c.updated_at ?? c.created_at), [filtered]);

  const newChat = () => {
    if (!currentSymbol) {
      setAdding(true);
      return;
    }
    navigate(`/i/${encodeURIComponent(currentSymbol)}`, { state: { focusPrompt: true } });
  };
  const removeInstrument = async (symbol: string) => {
    if (!window.confirm(`Remove ${symbol} from your workspace? Its chats are kept.`)) return;
    try {
      await workspace.removeInstrument(symbol);
    } catch (e) {
      setError(userMessage(e));
    }
  };

  return (
    <nav id="sidebar" ref={navRef} className={`sidebar${open ? " open" : ""}`} aria-label="Workspace">
      <div className="sb-head">
        <Link to="/" className="brand">
          Barb
        </Link>
        <IconButton icon="search" label="Command palette (⌘K)" onClick={onOpenPalette} />
        <IconButton ref={closeRef} icon="x" label={isPhone ? "Close sidebar" : "Collapse sidebar"} onClick={onClose} />
      </div>
      <div style={{ padding: "0 12px", display: "flex", flexDirection: "column", gap: 8 }}>
        <Button variant="primary" onClick={newChat}>
          <Icon name="plus" /> New chat
        </Button>
        <input className="input" type="search" placeholder="Search chats" aria-label="Search chats" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      <div className="sb-scroll">
        <section className="sb-section" aria-labelledby="sb-instruments">
          <h2 id="sb-instruments">
            Instruments
            <IconButton size="sm" icon="plus" label="Add instrument" onClick={() => setAdding(true)} />
          </h2>
          {error ? <ErrorAlert error={error} /> : null}
          {state.instrumentsLoad === "loading" ? <Skeleton lines={2} /> : null}
          {state.instrumentsLoad === "error" ? <ErrorAlert error={state.instrumentsError} onRetry={() => void workspace.loadInstruments()} /> : null}
          {state.instrumentsLoad === "ready" && state.instruments.length === 0 ? (
            <p className="empty">No instruments yet. Add one to start.</p>
          ) : null}
          <ul className="sb-list">
            {state.instruments.map((i) => (
              <li key={i.symbol} className="sb-item">
                <Link to={`/i/${encodeURIComponent(i.symbol)}`} aria-current={instrumentMatch?.params.symbol?.toUpperCase() === i.symbol && !chatMatch ? "page" : undefined}>
                  <strong>{i.symbol}</strong> <span className="muted">{i.name}</span>
                </Link>
                <RowMenu label={`Actions for ${i.symbol}`} items={[{ label: "Remove from workspace", onSelect: () => void removeInstrument(i.symbol) }]} />
              </li>
            ))}
          </ul>
        </section>
        <section className="sb-section" aria-labelledby="sb-chats">
          <h2 id="sb-chats">Chats</h2>
          {state.conversationsLoad === "loading" ? <Skeleton lines={4} /> : null}
          {state.conversationsLoad === "error" ? (
            <ErrorAlert error={state.conversationsError} onRetry={() => void workspace.loadConversations()} />
          ) : null}
          {state.conversationsLoad === "ready" && filtered.length === 0 ? (
            <p className="empty">{search ? "No chat matches your search." : "No chats yet. Ask a question on an instrument page."}</p>
          ) : null}
          {groups.map(([group, items]) => (
            <div key={group}>
              <div className="sb-group">{group}</div>
              <ul className="sb-list">
                {items.map((c) => (
                  <ConversationRow key={c.id} conversation={c} active={chatMatch?.params.id === c.id} />
                ))}
              </ul>
            </div>
          ))}
          {state.nextCursor && !search ? (
            <Button size="sm" variant="ghost" onClick={() => void workspace.loadConversations({ more: true })}>
              Show older chats
            </Button>
          ) : null}
        </section>
      </div>
      <div className="sb-foot">
        <span className="who" title={session?.user.email}>
          {session?.user.email}
        </span>
        <div className="seg" role="group" aria-label="Theme">
          {THEMES.map((t) => (
            <button key={t} type="button" aria-pressed={theme.preference === t} onClick={() => theme.set(t)}>
              {t[0]!.toUpperCase() + t.slice(1)}
            </button>
          ))}
        </div>
        <IconButton icon="logout" label="Sign out" onClick={() => void signOut()} />
      </div>
      <AddInstrumentDialog open={adding} onClose={() => setAdding(false)} />
    </nav>
  );
}
