import { useState } from "react";
import { Link } from "react-router";
import { AddInstrumentDialog } from "@/components/layout/add-instrument-dialog";
import { SidebarToggle } from "@/components/layout/app-layout";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/spinner";
import { useServices, useStoreState } from "@/state/services";

/** The landing page: your instruments, or an invitation to add the first one. */
export function HomePage() {
  const { workspace } = useServices();
  const state = useStoreState(workspace);
  const [adding, setAdding] = useState(false);
  return (
    <>
      <header className="page-header">
        <SidebarToggle />
        <h1>Your workspace</h1>
      </header>
      <div className="page-body">
        <div className="content">
          <p>Ask questions about market history in plain language. Barb writes the query, runs it on real bars and shows its work.</p>
          {state.instrumentsLoad === "loading" ? <Skeleton /> : null}
          {state.instruments.length > 0 ? (
            <ul className="conv-list">
              {state.instruments.map((i) => (
                <li key={i.symbol}>
                  <Link to={`/i/${encodeURIComponent(i.symbol)}`}>
                    <strong>{i.symbol}</strong> {i.name}
                  </Link>
                  <span className="muted">{i.exchange}</span>
                </li>
              ))}
            </ul>
          ) : state.instrumentsLoad === "ready" ? (
            <p className="muted">Start by adding an instrument such as NQ or ES.</p>
          ) : null}
          <p>
            <Button variant="primary" onClick={() => setAdding(true)}>
              Add instrument
            </Button>
          </p>
        </div>
      </div>
      <AddInstrumentDialog open={adding} onClose={() => setAdding(false)} />
    </>
  );
}
