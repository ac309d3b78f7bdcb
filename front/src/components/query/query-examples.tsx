/** A query the console offers to load, with the button's label. */
export interface QueryExample {
  label: string;
  query: Record<string, unknown>;
}

/** The instrument the correlation example reads beside `symbol`: ES, or NQ on ES's own console. */
const partnerOf = (symbol: string) => (symbol === "ES" ? "NQ" : "ES");

/**
 * The console's examples for `symbol`: a plain query, one reading another instrument with `on()`, and a screen.
 * Each was run against the engine on sample bars when written; the browser tests run the screen on the real one.
 */
export function queryExamples(symbol: string): QueryExample[] {
  const partner = partnerOf(symbol);
  return [
    {
      label: "Days that moved over 2% last year",
      query: { period: "last_year", from: "daily", map: { chg: "change_pct(close)" }, where: "abs(chg) > 2", sort: "chg asc" },
    },
    {
      label: `${symbol}/${partner} correlation by year`,
      query: {
        from: "daily",
        map: { r: "change_pct(close)", other: `on('${partner}', change_pct(close))`, y: "year()" },
        group_by: "y",
        select: { corr: "correlation(r, other)" },
      },
    },
    {
      label: "Rank instruments by 20-day volatility",
      query: {
        screen: "all",
        period: "last_20",
        map: { r: "change_pct(close)" },
        select: { vol: "std(r)" },
        sort: "vol desc",
        limit: 20,
      },
    },
  ];
}

/** Example buttons that load a query into the editor, with a line on reading other instruments and screening. */
export function QueryExamples({ symbol, onPick }: { symbol: string; onPick: (query: Record<string, unknown>) => void }) {
  return (
    <div className="console-examples">
      <div className="suggestions" role="group" aria-label="Example queries">
        {queryExamples(symbol).map((example) => (
          <button key={example.label} type="button" onClick={() => onPick(example.query)}>
            {example.label}
          </button>
        ))}
      </div>
      <p className="muted" style={{ fontSize: 13 }}>
        <code>on('ES', x)</code> reads x on another instrument&apos;s bars (<code>on('daily', x)</code> the last completed
        longer bar, <code>on('ES:daily', x)</code> both). Add <code>"screen": ["NQ", "ES"]</code>, <code>"all"</code> or{" "}
        <code>"workspace"</code> to run the query on each instrument and rank them: it must select values, without
        group_by.
      </p>
    </div>
  );
}
