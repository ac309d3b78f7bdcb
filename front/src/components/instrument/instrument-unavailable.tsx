import { Link } from "react-router";

/** Why an instrument page has nothing to chart or ask about: the symbol is unknown, or it has no bars yet. */
export type Unavailable = "unknown" | "no-data";

/** Says plainly what is missing and what to do about it, in place of the chart, suggestions and question box. */
export function InstrumentUnavailable({ symbol, reason }: { symbol: string; reason: Unavailable }) {
  if (reason === "unknown") {
    return (
      <section className="notice" aria-labelledby="unavailable-title">
        <h2 id="unavailable-title">No instrument called {symbol}</h2>
        <p>
          {symbol} is not in the catalogue, so there is no data to chart or ask about. Check the symbol, or use “Add instrument” in
          the sidebar to search by symbol or name.
        </p>
        <p>
          <Link to="/">Go to your workspace</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="notice" aria-labelledby="unavailable-title">
      <h2 id="unavailable-title">No data for {symbol} yet</h2>
      <p>There are no bars for {symbol} on this server yet, so there is no chart and no question it could answer. Import a file of bars (CSV or TXT, one-minute or daily) on the server with:</p>
      <pre className="query-view" aria-label="Import command">
        barb import FILE --symbol {symbol}
      </pre>
      <p className="muted">Then reload this page.</p>
    </section>
  );
}
