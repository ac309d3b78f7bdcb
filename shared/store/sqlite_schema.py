"""The embedded store's schema, one migration per entry (``PRAGMA user_version`` counts the applied ones).

It mirrors ``supabase/migrations/`` table for table (``tests/store/test_schema_parity.py`` checks it). Never
edit an applied migration: append a new one.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: the schema mirrors supabase/migrations (roles user/assistant, soft delete, usage and cost).
    """
    CREATE TABLE exchanges (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, timezone TEXT NOT NULL, calendar TEXT NOT NULL
    );
    CREATE TABLE instruments (
        symbol TEXT PRIMARY KEY CHECK (symbol = upper(symbol)),
        name TEXT NOT NULL,
        exchange TEXT NOT NULL REFERENCES exchanges(id),
        type TEXT NOT NULL,
        category TEXT NOT NULL,
        currency TEXT NOT NULL,
        timezone TEXT NOT NULL,
        default_session TEXT NOT NULL,
        sessions TEXT NOT NULL,
        tick_size REAL NOT NULL,
        tick_value REAL NOT NULL,
        point_value REAL NOT NULL,
        calendar TEXT NOT NULL,
        events TEXT NOT NULL,
        notes TEXT
    );
    CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        instrument TEXT NOT NULL,
        title TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed')),
        usage TEXT NOT NULL DEFAULT '{}',
        cost_usd REAL NOT NULL DEFAULT 0,
        summary TEXT,
        summary_through TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX conversations_by_user ON conversations (user_id, status, updated_at DESC, id DESC);
    CREATE TABLE messages (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        user_id TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        content TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '[]',
        usage TEXT,
        cost_usd REAL,
        status TEXT NOT NULL DEFAULT 'complete' CHECK (status IN ('complete', 'partial', 'error')),
        error TEXT,
        seq INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX messages_by_conversation ON messages (conversation_id, seq);
    CREATE TABLE tool_calls (
        id TEXT PRIMARY KEY,
        message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        user_id TEXT NOT NULL,
        tool_use_id TEXT NOT NULL,
        tool_name TEXT NOT NULL,
        title TEXT,
        input TEXT NOT NULL,
        output_summary TEXT,
        error TEXT,
        duration_ms INTEGER,
        seq INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX tool_calls_by_message ON tool_calls (message_id, seq);
    CREATE TABLE user_instruments (
        user_id TEXT NOT NULL,
        symbol TEXT NOT NULL,
        added_at TEXT NOT NULL,
        PRIMARY KEY (user_id, symbol)
    );
    CREATE TABLE chat_runs (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        user_id TEXT NOT NULL,
        stop_requested INTEGER NOT NULL DEFAULT 0,
        started_at TEXT NOT NULL,
        finished_at TEXT
    );
    CREATE INDEX chat_runs_active ON chat_runs (conversation_id) WHERE finished_at IS NULL;
    """,
    # 2: every answer names its question; errors are typed; runs beat, so a dead worker's run is not live.
    """
    ALTER TABLE messages ADD COLUMN reply_to TEXT REFERENCES messages(id) ON DELETE SET NULL;
    ALTER TABLE messages ADD COLUMN error_code TEXT;
    ALTER TABLE messages ADD COLUMN retryable INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE chat_runs ADD COLUMN question_id TEXT REFERENCES messages(id) ON DELETE CASCADE;
    ALTER TABLE chat_runs ADD COLUMN heartbeat_at TEXT;
    UPDATE chat_runs SET heartbeat_at = coalesce(finished_at, started_at);
    """,
    # 3: rate-limit events, shared by every worker (a per-process limit allowed N workers N times the rate).
    """
    CREATE TABLE rate_events (
        user_id TEXT NOT NULL,
        bucket TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX rate_events_by_key ON rate_events (user_id, bucket, at);
    """,
    # 4: versions instead of repeats (shared/store/thread.py): every message follows one other, and the
    # conversation reads as the path to its current leaf. Before, a conversation was one line.
    """
    ALTER TABLE conversations ADD COLUMN current_leaf TEXT REFERENCES messages(id) ON DELETE SET NULL;
    UPDATE messages SET reply_to = (
        SELECT p.id FROM messages p WHERE p.conversation_id = messages.conversation_id AND p.seq < messages.seq
        ORDER BY p.seq DESC LIMIT 1
    ) WHERE reply_to IS NULL;
    UPDATE conversations SET current_leaf = (
        SELECT m.id FROM messages m WHERE m.conversation_id = conversations.id ORDER BY m.seq DESC LIMIT 1
    );
    CREATE INDEX messages_by_reply ON messages (reply_to);
    """,
)
