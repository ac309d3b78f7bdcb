import { useEffect, useRef } from "react";
import { Button } from "@/components/ui/button";
import { useServices, useStoreState } from "@/state/services";

/**
 * Notices for deleted chats: "Undo" while the DELETE waits, or why the server refused it. The live region is always
 * there so screen readers announce each notice; when the delete took focus with it (the row is gone), Undo gets it.
 */
export function UndoToasts() {
  const { workspace } = useServices();
  const { deletes } = useStoreState(workspace);
  const region = useRef<HTMLDivElement>(null);
  const newest = deletes.findLast((d) => !d.error)?.conversation.id;

  useEffect(() => {
    if (!newest || (document.activeElement && document.activeElement !== document.body)) return;
    // The newest pending delete renders the last Undo button.
    [...(region.current?.querySelectorAll<HTMLElement>("[data-undo]") ?? [])].at(-1)?.focus();
  }, [newest]);

  return (
    <div className="toasts" ref={region} role="status" aria-live="polite">
      {deletes.map(({ conversation: c, error }) => (
        <div key={c.id} className="toast">
          {error ? (
            <>
              <span>
                Could not delete “{c.title}”: {error} It is back in the list.
              </span>
              <Button size="sm" onClick={() => workspace.dismissDelete(c.id)}>
                Dismiss
              </Button>
            </>
          ) : (
            <>
              <span>Deleted “{c.title}”.</span>
              <Button size="sm" data-undo onClick={() => workspace.undoDelete(c.id)}>
                Undo
              </Button>
            </>
          )}
        </div>
      ))}
    </div>
  );
}
