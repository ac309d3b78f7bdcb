import { useState } from "react";
import { useLayout } from "@/hooks/use-layout";
import { BlockView } from "@/components/cards/block-view";
import { QueryView } from "@/components/cards/query-view";
import { Button, IconButton } from "@/components/ui/button";
import { Icon } from "@/components/ui/icon";
import type { DataCard } from "@/lib/api-types";
import { otherInstruments } from "@/lib/format";

function sourceLine(source: NonNullable<DataCard["source"]>, symbol: string): string {
  const parts = [
    otherInstruments(source.instruments, symbol),
    source.bars ? `${source.bars} bars` : null,
    `session ${source.session ?? "all"}`,
    source.period ? `${source.period[0]} → ${source.period[1]}` : null,
    source.rows_scanned !== undefined ? `${source.rows_scanned.toLocaleString("en-US")} bars scanned` : null,
  ];
  return `Source: ${parts.filter(Boolean).join(" · ")}`;
}

/** A result card: its blocks, "View query", and "Open in panel" to see it full size beside the chat. */
export function DataCardView({ card, symbol, query, inPanel }: { card: DataCard; symbol: string; query: unknown; inPanel?: boolean }) {
  const [showQuery, setShowQuery] = useState(false);
  const layout = useLayout();
  const open = layout.panel?.card === card;
  return (
    <section className="card" aria-label={card.title}>
      <div className="card-head">
        {inPanel ? <span style={{ flex: 1 }} /> : <h3>{card.title}</h3>}
        {query ? (
          <Button size="sm" variant="ghost" aria-expanded={showQuery} onClick={() => setShowQuery((v) => !v)}>
            <Icon name="code" /> View query
          </Button>
        ) : null}
        {!inPanel ? (
          <IconButton size="sm" icon="expand" label={open ? "Close the data panel" : "Open in the data panel"} aria-pressed={open} onClick={() => (open ? layout.closePanel() : layout.openPanel({ card, symbol, query }))} />
        ) : null}
      </div>
      <div className="card-body">
        {showQuery ? <QueryView query={query} symbol={symbol} /> : null}
        {card.blocks.length === 0 ? <p className="empty">This result has nothing to show.</p> : null}
        {card.warnings?.map((w) => (
          <p key={w} className="badge badge-warn" style={{ margin: 0 }}>
            {w}
          </p>
        ))}
        {card.blocks.map((block, i) => (
          <BlockView key={i} block={block} cardTitle={card.title} symbol={symbol} tall={inPanel} />
        ))}
        {card.source ? <p className="card-foot">{sourceLine(card.source, symbol)}</p> : null}
      </div>
    </section>
  );
}
