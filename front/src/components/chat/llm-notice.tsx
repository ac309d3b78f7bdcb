import { Link } from "react-router";
import { useServices } from "@/state/services";

/** Says plainly when the server has no model configured, and points to the console, which works without one. */
export function LlmNotice({ symbol }: { symbol: string }) {
  const { config } = useServices();
  if (config.llm_configured) return null;
  return (
    <div className="content" role="note">
      <p className="badge badge-warn" style={{ borderRadius: 8, padding: "8px 12px" }}>
        The assistant is not configured on this server (no model key), so questions cannot be answered here. The{" "}
        <Link to={`/i/${encodeURIComponent(symbol)}/query`}>query console</Link> works without it.
      </p>
    </div>
  );
}
