import { lazy, Suspense, useCallback, useEffect, useRef, useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { SidebarToggle } from "@/components/layout/app-layout";
import { Composer, type ComposerHandle } from "@/components/chat/composer";
import { LlmNotice } from "@/components/chat/llm-notice";
import { CompareView } from "@/components/instrument/compare-view";
import { InstrumentFacts } from "@/components/instrument/instrument-facts";
import { InstrumentUnavailable, type Unavailable } from "@/components/instrument/instrument-unavailable";
import { suggestedQuestions } from "@/components/instrument/suggestions";
import { Button } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { Icon } from "@/components/ui/icon";
import { Skeleton } from "@/components/ui/spinner";
import { useConversation } from "@/hooks/use-conversation";
import { useResource } from "@/hooks/use-resource";
import { isNotFound, userMessage } from "@/lib/errors";
import { useServices, useStoreState } from "@/state/services";

const PriceChart = lazy(() => import("@/components/instrument/price-chart").then((m) => ({ default: m.PriceChart })));

function relative(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleString("en-US", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** `/i/:symbol`: facts, price chart, suggested questions, this instrument's chats, and a box to start a new chat. */
export function InstrumentPage() {
  const { symbol: raw = "" } = useParams();
  const symbol = raw.toUpperCase();
  const { api, chat, workspace } = useServices();
  const ws = useStoreState(workspace);
  const navigate = useNavigate();
  const location = useLocation();
  const info = useResource((signal) => api.instrument(symbol, signal), [api, symbol]);
  const draftKey = `new:${symbol}`;
  const draft = useConversation(draftKey).draft;
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sample, setSample] = useState(false);
  const composer = useRef<ComposerHandle>(null);
  const inWorkspace = ws.instruments.some((i) => i.symbol === symbol);
  const conversations = ws.conversations.filter((c) => c.instrument.toUpperCase() === symbol);

  useEffect(() => {
    document.title = `${symbol} · Barb`;
  }, [symbol]);
  useEffect(() => {
    if ((location.state as { focusPrompt?: boolean } | null)?.focusPrompt) composer.current?.focus();
  }, [location.state]);

  const start = async (question: string) => {
    const text = question.trim();
    if (!text || starting) return;
    setStarting(true);
    setError(null);
    try {
      const conversation = await workspace.createConversation(symbol);
      chat.setDraft(draftKey, "");
      void chat.send(conversation.id, text);
      navigate(`/i/${encodeURIComponent(symbol)}/c/${encodeURIComponent(conversation.id)}`);
    } catch (e) {
      // The question stays in the box with the reason.
      chat.setDraft(draftKey, text);
      setError(userMessage(e));
    } finally {
      setStarting(false);
    }
  };
  const onSample = useCallback((value: boolean) => setSample(value), []);
  const status = info.data?.data ?? undefined;
  const intraday = status?.bar_sizes ? status.bar_sizes.some((s) => /^\d+[mh]$/.test(s)) : true;
  // Only what is known to be missing hides the question box: while loading or after a failed load it stays.
  const unavailable: Unavailable | null =
    info.status === "error" && isNotFound(info.error) ? "unknown" : info.status === "ready" && status?.available === false ? "no-data" : null;

  return (
    <>
      <header className="page-header">
        <SidebarToggle />
        <h1>
          {symbol} <span className="muted">{info.data?.name}</span>
        </h1>
        {sample || status?.sample ? <span className="badge badge-warn" title="These bars are generated for demonstration, not real market data">Synthetic sample</span> : null}
        {!inWorkspace && info.status === "ready" ? (
          <Button size="sm" onClick={() => void workspace.addInstrument(info.data).catch((e: unknown) => setError(userMessage(e)))}>
            <Icon name="plus" /> Add to workspace
          </Button>
        ) : null}
        {unavailable ? null : (
          <Link className="btn btn-sm btn-ghost" to={`/i/${encodeURIComponent(symbol)}/query`} aria-label="Query console">
            <Icon name="terminal" /> <span className="desktop-only">Query console</span>
          </Link>
        )}
      </header>
      <div className="page-body">
        <div className="content">
          {info.status === "loading" && !info.data ? <Skeleton lines={2} /> : null}
          {info.status === "error" && !unavailable ? <ErrorAlert error={info.error} onRetry={info.reload} /> : null}
          {info.data ? <InstrumentFacts instrument={info.data} /> : null}
          {unavailable ? <InstrumentUnavailable symbol={symbol} reason={unavailable} /> : null}
          {info.data && !unavailable ? (
            <Suspense fallback={<div className="chart-box chart-canvas" aria-busy="true" />}>
              <PriceChart symbol={symbol} onSample={onSample} intraday={intraday} timeZone={info.data.timezone} tickSize={info.data.tick_size} />
            </Suspense>
          ) : null}
          {info.data && !unavailable ? <CompareView symbol={symbol} /> : null}
          {unavailable ? null : (
            <>
              <h2 style={{ fontSize: 15 }}>Ask about {symbol}</h2>
              <div className="suggestions">
                {suggestedQuestions(symbol).map((q) => (
                  <button key={q} type="button" disabled={starting} onClick={() => void start(q)}>
                    {q}
                  </button>
                ))}
              </div>
            </>
          )}
          {unavailable && conversations.length === 0 ? null : (
            <>
              <h2 style={{ fontSize: 15 }}>Chats about {symbol}</h2>
              {ws.conversationsLoad === "loading" ? <Skeleton lines={2} /> : null}
              {ws.conversationsLoad === "ready" && conversations.length === 0 ? <p className="muted">No chats yet. Ask your first question below.</p> : null}
            </>
          )}
          {conversations.length > 0 ? (
            <ul className="conv-list">
              {conversations.map((c) => (
                <li key={c.id}>
                  <Link to={`/i/${encodeURIComponent(symbol)}/c/${encodeURIComponent(c.id)}`}>{c.title}</Link>
                  <span className="muted">{relative(c.updated_at)}</span>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      </div>
      {unavailable ? null : (
        <>
          <LlmNotice symbol={symbol} />
          <Composer
            ref={composer}
            value={draft}
            onChange={(v) => chat.setDraft(draftKey, v)}
            onSend={() => void start(draft)}
            busy={starting}
            error={error}
            placeholder={`Ask anything about ${symbol}…`}
          />
        </>
      )}
    </>
  );
}
