import { useState } from "react";
import { Link } from "react-router";
import { Button } from "@/components/ui/button";
import { Icon } from "@/components/ui/icon";
import { copyText } from "@/lib/clipboard";

/** A link to the query console with this query filled in. */
export function consoleHref(symbol: string, query: unknown): string {
  return `/i/${encodeURIComponent(symbol)}/query?q=${encodeURIComponent(JSON.stringify(query))}`;
}

/** The Barb Script behind a card: readable, copyable, and one click away from the console. */
export function QueryView({ query, symbol }: { query: unknown; symbol: string }) {
  const [copied, setCopied] = useState(false);
  const text = JSON.stringify(query, null, 2);
  return (
    <div>
      <pre className="query-view" aria-label="Barb Script query">
        {text}
      </pre>
      <div className="chart-toolbar" style={{ marginTop: 6 }}>
        <Button
          size="sm"
          onClick={() =>
            void copyText(text).then((ok) => {
              if (!ok) return;
              setCopied(true);
              setTimeout(() => setCopied(false), 1500);
            })
          }
        >
          <Icon name={copied ? "check" : "copy"} /> {copied ? "Copied" : "Copy query"}
        </Button>
        <Link className="btn btn-sm" to={consoleHref(symbol, query)}>
          <Icon name="terminal" /> Open in query console
        </Link>
      </div>
    </div>
  );
}
