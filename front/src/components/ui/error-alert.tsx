import { Button } from "@/components/ui/button";
import { Icon } from "@/components/ui/icon";
import { ApiError, userMessage } from "@/lib/errors";

/** Shows an error as its sentence (never raw JSON), with the request id for support and an optional retry. */
export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const requestId = error instanceof ApiError ? error.requestId : null;
  return (
    <div className="alert" role="alert">
      <Icon name="alert" />
      <div style={{ flex: 1 }}>
        {typeof error === "string" ? error : userMessage(error)}
        {requestId ? <small> (request {requestId})</small> : null}
      </div>
      {onRetry ? (
        <Button size="sm" onClick={onRetry}>
          Try again
        </Button>
      ) : null}
    </div>
  );
}
