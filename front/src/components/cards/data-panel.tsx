import { useEffect, useRef } from "react";
import type { PanelItem } from "@/hooks/use-layout";
import { DataCardView } from "@/components/cards/data-card";
import { IconButton } from "@/components/ui/button";

/** The side panel (a full-screen sheet on phones) showing one card full size. Esc or the X closes it. */
export function DataPanel({ item, onClose }: { item: PanelItem; onClose: () => void }) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [item]);
  return (
    <aside className="data-panel" aria-label="Data panel" ref={ref} tabIndex={-1}>
      <header className="page-header">
        <h1>{item.card.title}</h1>
        <IconButton icon="x" label="Close the data panel" onClick={onClose} />
      </header>
      <div className="page-body">
        <DataCardView card={item.card} symbol={item.symbol} query={item.query} inPanel />
      </div>
    </aside>
  );
}
