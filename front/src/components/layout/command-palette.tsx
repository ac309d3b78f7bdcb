import { useEffect, useMemo, useState } from "react";
import { useMatch, useNavigate } from "react-router";
import type { FocusPageState } from "@/components/layout/app-layout";
import { Dialog } from "@/components/ui/dialog";
import type { Instrument } from "@/lib/api-types";
import { rankCommands, type Searchable } from "@/lib/command-rank";
import { setTheme } from "@/lib/theme";
import { useServices, useStoreState } from "@/state/services";

interface Command extends Searchable {
  id: string;
  kind: "Instrument" | "Chat" | "Action";
  run: () => void;
}

/** ⌘/Ctrl+K: jump to an instrument or a conversation, or run an action; arrows move, Enter runs. */
export function CommandPalette({ onClose }: { onClose: () => void }) {
  const { api, workspace, signOut } = useServices();
  const state = useStoreState(workspace);
  const navigate = useNavigate();
  const instrumentMatch = useMatch("/i/:symbol/*");
  const [query, setQuery] = useState("");
  const [selected, setSelected] = useState(0);
  const [catalogue, setCatalogue] = useState<Instrument[]>([]);

  useEffect(() => {
    const controller = new AbortController();
    api.instruments("", controller.signal).then(setCatalogue, () => undefined);
    return () => controller.abort();
  }, [api]);

  const commands = useMemo<Command[]>(() => {
    // The entry that had focus goes with the palette: the new page's heading takes it (or its question box, for a new chat).
    const go = (to: string, state: FocusPageState | { focusPrompt: true } = { focusPage: true }) => () => {
      onClose();
      navigate(to, { state });
    };
    const symbol = instrumentMatch?.params.symbol;
    const seen = new Set<string>();
    const instruments = [...state.instruments, ...catalogue].filter((i) => !seen.has(i.symbol) && seen.add(i.symbol));
    return [
      ...(symbol
        ? [
            { id: "new", label: `New chat on ${symbol.toUpperCase()}`, kind: "Action" as const, run: go(`/i/${symbol}`, { focusPrompt: true }) },
            { id: "console", label: `Query console for ${symbol.toUpperCase()}`, kind: "Action" as const, run: go(`/i/${symbol}/query`) },
          ]
        : []),
      ...instruments.map((i) => ({
        id: `i-${i.symbol}`,
        label: `${i.symbol} · ${i.name ?? ""}`,
        symbol: i.symbol,
        name: i.name,
        kind: "Instrument" as const,
        run: go(`/i/${encodeURIComponent(i.symbol)}`),
      })),
      ...state.conversations.map((c) => ({
        id: `c-${c.id}`,
        label: `${c.title} (${c.instrument})`,
        kind: "Chat" as const,
        run: go(`/i/${encodeURIComponent(c.instrument)}/c/${encodeURIComponent(c.id)}`),
      })),
      { id: "light", label: "Theme: light", kind: "Action", run: () => (setTheme("light"), onClose()) },
      { id: "dark", label: "Theme: dark", kind: "Action", run: () => (setTheme("dark"), onClose()) },
      { id: "system", label: "Theme: system", kind: "Action", run: () => (setTheme("system"), onClose()) },
      { id: "signout", label: "Sign out", kind: "Action", run: () => (onClose(), void signOut()) },
    ];
  }, [catalogue, instrumentMatch?.params.symbol, navigate, onClose, signOut, state.conversations, state.instruments]);

  const matches = useMemo(() => rankCommands(commands, query).slice(0, 50), [commands, query]);
  const active = Math.min(selected, Math.max(0, matches.length - 1));

  return (
    <Dialog open onClose={onClose} title="Command palette">
      <input
        className="input"
        role="combobox"
        aria-expanded="true"
        aria-controls="palette-list"
        aria-activedescendant={matches[active] ? `cmd-${matches[active].id}` : undefined}
        aria-label="Search instruments, chats and actions"
        placeholder="Jump to…"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setSelected(0);
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") setSelected((active + 1) % Math.max(1, matches.length));
          else if (e.key === "ArrowUp") setSelected((active - 1 + matches.length) % Math.max(1, matches.length));
          else if (e.key === "Enter") matches[active]?.run();
          else return;
          e.preventDefault();
        }}
      />
      <ul id="palette-list" className="palette-list" role="listbox" aria-label="Results">
        {matches.map((c, i) => (
          <li key={c.id} id={`cmd-${c.id}`} role="option" aria-selected={i === active} onMouseEnter={() => setSelected(i)} onClick={c.run}>
            {c.label}
            <span className="kind">{c.kind}</span>
          </li>
        ))}
        {matches.length === 0 ? <li className="muted">Nothing matches.</li> : null}
      </ul>
    </Dialog>
  );
}
