import { useEffect, useState } from "react";
import { DataCardView } from "@/components/cards/data-card";
import { Icon } from "@/components/ui/icon";
import { Spinner } from "@/components/ui/spinner";
import { blockQuery } from "@/lib/blocks";
import { formatDuration } from "@/lib/usage";
import type { ToolStep } from "@/lib/messages";

const VERBS: Record<string, string> = { run_query: "Running query", run_backtest: "Running backtest" };

function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);
  return <span className="num">{formatDuration(Math.max(0, now - since))}</span>;
}

/** A tool call: "Running query: <title>" with its elapsed time, then its card, or the reason it failed. */
export function ToolStepView({ step, symbol }: { step: ToolStep; symbol: string }) {
  const verb = VERBS[step.name] ?? step.name.replace(/_/g, " ");
  const query = step.card?.query ?? blockQuery(step.card?.blocks.find((b) => b.type === "table") ?? step.card?.blocks[0], step.input);
  return (
    <div data-tool-step={step.status}>
      <div className={`step${step.status === "error" ? " error" : ""}`}>
        {step.status === "running" ? <Spinner /> : <Icon name={step.status === "error" ? "alert" : "check"} />}
        <span>
          {step.status === "running" ? verb : verb.replace(/^Running/, "Ran")}: {step.title}
        </span>
        <span aria-hidden="true">·</span>
        {step.status === "running" ? <Elapsed since={step.startedAt} /> : step.durationMs !== null ? <span className="num">{formatDuration(step.durationMs)}</span> : null}
      </div>
      {step.status === "error" ? (
        <div className="card">
          <div className="card-body card-error" role="note">
            This step failed: {step.error ?? "the tool returned an error."}
          </div>
        </div>
      ) : null}
      {step.card ? <DataCardView card={step.card} symbol={symbol} query={query} /> : null}
      {step.status === "done" && !step.card ? <p className="muted" style={{ fontSize: 13, margin: 0 }}>No rows matched, so there is no card.</p> : null}
    </div>
  );
}
