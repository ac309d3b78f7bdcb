import { type KeyboardEvent, useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";

interface QuestionEditorProps {
  initial: string;
  onSend: (text: string) => void;
  onCancel: () => void;
}

/** Edits a question in place: Enter sends it as a new version, Shift+Enter adds a line, Esc cancels. */
export function QuestionEditor({ initial, onSend, onCancel }: QuestionEditorProps) {
  const [text, setText] = useState(initial);
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = box.current;
    el?.focus();
    el?.setSelectionRange(el.value.length, el.value.length);
  }, []);
  const canSend = text.trim().length > 0 && text.trim() !== initial.trim();
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Escape") {
      e.preventDefault();
      onCancel();
    } else if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      if (canSend) onSend(text);
    }
  };
  return (
    <form
      className="question-editor"
      onSubmit={(e) => {
        e.preventDefault();
        if (canSend) onSend(text);
      }}
    >
      <textarea ref={box} aria-label="Edit your question" value={text} rows={Math.min(8, text.split("\n").length + 1)} onChange={(e) => setText(e.target.value)} onKeyDown={onKeyDown} />
      <div className="msg-actions">
        <Button size="sm" variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
        <Button size="sm" variant="primary" type="submit" disabled={!canSend}>
          Send
        </Button>
      </div>
    </form>
  );
}
