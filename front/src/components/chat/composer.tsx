import { type KeyboardEvent, type Ref, useEffect, useImperativeHandle, useRef } from "react";
import { Button } from "@/components/ui/button";
import { ErrorAlert } from "@/components/ui/error-alert";
import { Icon } from "@/components/ui/icon";
import { Spinner } from "@/components/ui/spinner";

export interface ComposerHandle {
  focus: () => void;
}

interface ComposerProps {
  value: string;
  onChange: (value: string) => void;
  onSend: () => void;
  onStop?: () => void;
  /** ↑ in an empty box brings back the last question to edit. */
  onEditLast?: () => void;
  streaming?: boolean;
  stopping?: boolean;
  busy?: boolean;
  error?: string | null;
  label?: string;
  placeholder?: string;
  autoFocus?: boolean;
  ref?: Ref<ComposerHandle>;
}

const MAX = 10_000;

/**
 * The question box. Enter or ⌘/Ctrl+Enter sends, Shift+Enter adds a line, Esc stops a streaming answer. Typing stays
 * allowed while an answer streams (the text is kept); only sending waits.
 */
export function Composer({ value, onChange, onSend, onStop, onEditLast, streaming, stopping, busy, error, label = "Your question", placeholder = "Ask about this market…", autoFocus, ref }: ComposerProps) {
  const textarea = useRef<HTMLTextAreaElement>(null);
  useImperativeHandle(ref, () => ({ focus: () => textarea.current?.focus() }), []);
  useEffect(() => {
    const el = textarea.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 220)}px`;
  }, [value]);
  const tooLong = value.length > MAX;
  const canSend = !streaming && !busy && value.trim().length > 0 && !tooLong;
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Escape" && streaming && onStop) {
      e.preventDefault();
      onStop();
      return;
    }
    if (e.key === "ArrowUp" && !value && onEditLast) {
      e.preventDefault();
      onEditLast();
      return;
    }
    if (e.key === "Enter" && !e.nativeEvent.isComposing && (!e.shiftKey || e.metaKey || e.ctrlKey)) {
      e.preventDefault();
      if (canSend) onSend();
    }
  };
  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        if (canSend) onSend();
      }}
    >
      <div className="composer-inner">
        {error ? <ErrorAlert error={error} /> : null}
        <div className="composer-box">
          <label htmlFor="composer-input" className="sr-only">
            {label}
          </label>
          <textarea id="composer-input" ref={textarea} rows={1} value={value} placeholder={placeholder} autoFocus={autoFocus} onChange={(e) => onChange(e.target.value)} onKeyDown={onKeyDown} aria-invalid={tooLong || undefined} aria-describedby="composer-hint" />
          {streaming && onStop ? (
            <Button onClick={onStop} disabled={stopping} aria-label="Stop the answer (Esc)" title="Stop (Esc)">
              {stopping ? <Spinner /> : <Icon name="stop" />} {stopping ? "Stopping" : "Stop"}
            </Button>
          ) : (
            <Button type="submit" variant="primary" disabled={!canSend} aria-label="Send (Enter)" title="Send (Enter)">
              {busy ? <Spinner /> : <Icon name="send" />}
            </Button>
          )}
        </div>
        <div id="composer-hint" className="composer-hint">
          {tooLong ? `Too long: ${value.length.toLocaleString("en-US")} of ${MAX.toLocaleString("en-US")} characters.` : streaming ? "Answering… you can keep typing; Esc stops." : "Enter to send, Shift+Enter for a new line."}
        </div>
      </div>
    </form>
  );
}
