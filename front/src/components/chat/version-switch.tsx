import { Button } from "@/components/ui/button";

interface VersionSwitchProps {
  id: string;
  /** The message's versions, itself included, oldest first. */
  versions: string[] | undefined;
  what: "question" | "answer";
  disabled?: boolean;
  onSelect: (messageId: string) => void;
}

/** "‹ 2 / 3 ›": steps through a message's versions (regenerated answers, edited questions); nothing when it has one. */
export function VersionSwitch({ id, versions, what, disabled, onSelect }: VersionSwitchProps) {
  const at = versions?.indexOf(id) ?? -1;
  if (!versions || versions.length < 2 || at === -1) return null;
  const previous = versions[at - 1];
  const next = versions[at + 1];
  return (
    <div className="version-switch" role="group" aria-label={`Versions of this ${what}`}>
      <Button size="sm" variant="ghost" aria-label={`Previous version of this ${what}`} disabled={disabled || !previous} onClick={() => previous && onSelect(previous)}>
        ‹
      </Button>
      <span aria-label={`Version ${at + 1} of ${versions.length}`}>
        {at + 1} / {versions.length}
      </span>
      <Button size="sm" variant="ghost" aria-label={`Next version of this ${what}`} disabled={disabled || !next} onClick={() => next && onSelect(next)}>
        ›
      </Button>
    </div>
  );
}
