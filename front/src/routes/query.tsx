import { useEffect, useRef, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { SidebarToggle } from "@/components/layout/app-layout";
import { DataCardView } from "@/components/cards/data-card";
import { QueryExamples, queryExamples } from "@/components/query/query-examples";
import { Button } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { Spinner } from "@/components/ui/spinner";
import { isMod } from "@/hooks/use-hotkey";
import type { DataCard, QueryResult, ValidationDetail } from "@/lib/api-types";
import { ApiError } from "@/lib/errors";
import { formatNumber, otherInstruments } from "@/lib/format";
import { formatDuration } from "@/lib/usage";
import { resultToCard } from "@/lib/result-card";
import { useServices } from "@/state/services";

type Outcome =
  | { kind: "idle" }
  | { kind: "running" }
  | { kind: "invalid"; message: string; details: ValidationDetail[] }
  | { kind: "failed"; error: unknown }
  | { kind: "done"; result: QueryResult; card: DataCard };

const rowCount = (n: number) => (n === 1 ? "1 row" : `${formatNumber(n)} rows`);
const isScreen = (query: unknown) => !!query && typeof query === "object" && "screen" in query;

function initialText(q: string | null, symbol: string): string {
  if (!q) return JSON.stringify(queryExamples(symbol)[0]!.query, null, 2);
  try {
    return JSON.stringify(JSON.parse(q), null, 2);
  } catch {
    return q;
  }
}

/**
 * `/i/:symbol/query`: write or paste Barb Script, run it, see the cards; validation errors are listed inline. The
 * query that ran is kept in the URL (`?q=` JSON), so the page can be bookmarked or shared and opens with its result.
 */
export function QueryPage() {
  const { symbol: raw = "" } = useParams();
  const symbol = raw.toUpperCase();
  const [params, setParams] = useSearchParams();
  const q = params.get("q");
  const { api } = useServices();
  const [text, setText] = useState(() => initialText(q, symbol));
  const [outcome, setOutcome] = useState<Outcome>({ kind: "idle" });
  /** The `q` this page last ran, so its own URL update does not run the query again. */
  const ran = useRef<string | null>(null);
  const runButton = useRef<HTMLButtonElement>(null);
  const running = outcome.kind === "running";
  const rows = outcome.kind === "done" ? (outcome.result.rows?.length ?? 0) : 0;
  /** The instruments the result read besides this one (`on()`, a screen), for its source line. */
  const read = outcome.kind === "done" ? otherInstruments(outcome.result.source?.instruments, symbol) : null;

  useEffect(() => {
    document.title = `Query console · ${symbol} · Barb`;
  }, [symbol]);

  const run = async (source = text) => {
    let query: unknown;
    try {
      query = JSON.parse(source);
    } catch (e) {
      setOutcome({ kind: "invalid", message: `The query is not valid JSON: ${(e as Error).message}`, details: [] });
      return;
    }
    const compact = JSON.stringify(query);
    ran.current = compact;
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        next.set("q", compact);
        return next;
      },
      { replace: true },
    );
    setOutcome({ kind: "running" });
    try {
      const result = await api.query(symbol, query);
      const title = isScreen(query) ? "Screen result" : `${symbol} query result`;
      setOutcome({ kind: "done", result, card: resultToCard({ ...result, query: result.query ?? query }, title) });
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) setOutcome({ kind: "invalid", message: e.message, details: e.details });
      else setOutcome({ kind: "failed", error: e });
    }
  };

  // Opening a link or bookmark with ?q= (or following one to this page) loads that query and runs it.
  useEffect(() => {
    if (!q || q === ran.current) return;
    setText(initialText(q, symbol));
    void run(q);
    // Only a new `q` from outside should run; `run` reads the latest state on each render.
  }, [q]);

  return (
    <>
      <header className="page-header">
        <SidebarToggle />
        <h1>Query console · {symbol}</h1>
        <Link className="btn btn-sm btn-ghost" to={`/i/${encodeURIComponent(symbol)}`}>
          {symbol}
        </Link>
      </header>
      <div className="page-body">
        <div className="content console">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (!running) void run();
            }}
          >
            <div className="field">
              <label htmlFor="query-text">Barb Script (JSON)</label>
              <textarea
                id="query-text"
                className="textarea"
                spellCheck={false}
                value={text}
                onChange={(e) => setText(e.target.value)}
                onKeyDown={(e) => {
                  if (isMod(e) && e.key === "Enter") {
                    e.preventDefault();
                    if (!running) void run();
                  }
                }}
                aria-invalid={outcome.kind === "invalid" || undefined}
                aria-describedby="query-errors"
              />
            </div>
            <div className="chart-toolbar" style={{ marginTop: 8 }}>
              {/* aria-disabled, not disabled, while it runs: a disabled button would drop keyboard focus to <body>. */}
              <Button ref={runButton} type="submit" variant="primary" aria-disabled={running || undefined}>
                {running ? <Spinner /> : null} Run query
              </Button>
              <Button
                onClick={() => {
                  try {
                    setText(JSON.stringify(JSON.parse(text), null, 2));
                  } catch {
                    setOutcome({ kind: "invalid", message: "The query is not valid JSON, so it cannot be formatted.", details: [] });
                  }
                }}
              >
                Format
              </Button>
              <span className="composer-hint">⌘/Ctrl+Enter runs the query. No model is involved.</span>
            </div>
          </form>
          <QueryExamples
            symbol={symbol}
            onPick={(query) => {
              setText(JSON.stringify(query, null, 2));
              document.getElementById("query-text")?.focus();
            }}
          />
          {/* Focus stays where Run was pressed, so the outcome is announced: errors below, a result or progress here. */}
          <p className="sr-only" role="status">
            {running ? "Running the query…" : outcome.kind === "done" ? `Query done: ${rowCount(rows)}.` : ""}
          </p>
          <div id="query-errors" aria-live="polite">
            {outcome.kind === "invalid" ? (
              <div className="query-invalid" style={{ marginTop: 12 }}>
                <ErrorAlert error={outcome.message} />
                {outcome.details.length ? (
                  <ul className="console-errors">
                    {outcome.details.map((d, i) => (
                      <li key={i}>
                        {d.step !== null && d.step !== undefined ? <strong>Step {d.step}: </strong> : null}
                        {d.expression ? <code>{d.expression}</code> : null} {d.message}
                        {d.hint ? <div className="muted">Hint: {d.hint}</div> : null}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </div>
            ) : null}
          </div>
          {outcome.kind === "failed" ? (
            <div style={{ marginTop: 12 }}>
              <ErrorAlert
                error={outcome.error}
                onRetry={() => {
                  // The alert and its button go away while the query runs again; focus waits on Run query.
                  runButton.current?.focus();
                  void run();
                }}
              />
            </div>
          ) : null}
          {outcome.kind === "done" ? (
            <div style={{ marginTop: 12 }}>
              <p className="muted" style={{ fontSize: 13 }}>
                {rowCount(rows)} ·{" "}
                {read ? `${read} · ` : ""}
                {outcome.result.source?.rows_scanned !== undefined ? `${formatNumber(outcome.result.source.rows_scanned)} bars scanned · ` : ""}
                {outcome.result.elapsed_ms !== undefined ? formatDuration(outcome.result.elapsed_ms) : ""}
              </p>
              {outcome.result.warnings?.map((w) => (
                <p key={w} className="badge badge-warn">
                  {w}
                </p>
              ))}
              <DataCardView card={outcome.card} symbol={symbol} query={outcome.result.query} />
            </div>
          ) : null}
        </div>
      </div>
    </>
  );
}
