import { useEffect, useState } from "react";
import { useNavigate } from "react-router";
import { Dialog } from "@/components/ui/dialog";
import { ErrorAlert } from "@/components/ui/error-alert";
import { Icon } from "@/components/ui/icon";
import { Skeleton } from "@/components/ui/spinner";
import type { Instrument } from "@/lib/api-types";
import { userMessage } from "@/lib/errors";
import { useServices, useStoreState } from "@/state/services";

/** Searches the catalogue (debounced, stale answers dropped) and adds the chosen instrument to the workspace. */
export function AddInstrumentDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { api, workspace } = useServices();
  const { instruments } = useStoreState(workspace);
  const navigate = useNavigate();
  const [search, setSearch] = useState("");
  const [results, setResults] = useState<Instrument[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api.instruments(search.trim(), controller.signal).then(
        (list) => {
          setResults(list);
          setError(null);
        },
        (e: unknown) => !controller.signal.aborted && setError(e),
      );
    }, search ? 200 : 0);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [api, open, search]);

  const choose = async (instrument: Instrument) => {
    const have = instruments.some((i) => i.symbol === instrument.symbol);
    setBusy(instrument.symbol);
    try {
      if (!have) await workspace.addInstrument(instrument);
      onClose();
      navigate(`/i/${encodeURIComponent(instrument.symbol)}`);
    } catch (e) {
      setError(userMessage(e));
    } finally {
      setBusy(null);
    }
  };

  const grouped = new Map<string, Instrument[]>();
  for (const i of results ?? []) {
    const key = i.category ?? "Other";
    grouped.set(key, [...(grouped.get(key) ?? []), i]);
  }

  return (
    <Dialog open={open} onClose={onClose} title="Add instrument">
      <div className="field">
        <label htmlFor="instrument-search">Search by symbol or name</label>
        <input id="instrument-search" className="input" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="NQ, crude, gold…" />
      </div>
      {error ? <ErrorAlert error={error} /> : null}
      {results === null && !error ? <Skeleton lines={4} /> : null}
      {results?.length === 0 ? <p className="empty">No instrument matches “{search}”.</p> : null}
      {[...grouped.entries()].map(([category, list]) => (
        <section key={category}>
          <h3 className="sb-group" style={{ textTransform: "capitalize" }}>
            {category}
          </h3>
          <ul className="sb-list">
            {list.map((i) => {
              const have = instruments.some((w) => w.symbol === i.symbol);
              return (
                <li key={i.symbol} className="sb-item">
                  <button type="button" className="btn btn-ghost" style={{ flex: 1, justifyContent: "flex-start" }} disabled={busy !== null} onClick={() => void choose(i)}>
                    <strong>{i.symbol}</strong>
                    <span className="muted">{i.name}</span>
                    <span className="muted" style={{ marginLeft: "auto" }}>
                      {i.exchange}
                    </span>
                    {have ? <Icon name="check" title="In your workspace" /> : <span className="sr-only">Add</span>}
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </Dialog>
  );
}
