"""The SQLite store's instrument tables: the shared catalogue and each user's workspace.

Mixed into :class:`~shared.store.sqlite.SqliteStore`, whose database (``_db``) it uses; kept apart from the
conversation and run methods, which share nothing with it.
"""

from __future__ import annotations

import json
import sqlite3

from shared.market import get_exchange
from shared.store.models import CatalogueEntry
from shared.store.sqlite_db import SqliteDatabase, now_text


class SqliteInstruments:
    """The catalogue and workspace methods of the :class:`~shared.store.base.Store` protocol on SQLite."""

    _db: SqliteDatabase

    def _entry(self, row: sqlite3.Row) -> CatalogueEntry:
        exchange = get_exchange(row["exchange"])
        return CatalogueEntry(
            **{k: row[k] for k in row.keys() if k not in ("sessions", "events")},  # noqa: SIM118 - a Row iterates values
            exchange_name=exchange.name if exchange else row["exchange"],
            sessions=json.loads(row["sessions"]),
            events=json.loads(row["events"]),
        )

    async def list_catalogue(
        self, *, search: str | None = None, category: str | None = None
    ) -> list[CatalogueEntry]:
        def list_rows() -> list[CatalogueEntry]:
            sql, params = "SELECT * FROM instruments WHERE 1", []
            if search:
                # A plain substring match: the search text is data, never part of the query.
                pattern = (
                    "%" + search.upper().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                )
                sql += " AND (upper(symbol) LIKE ? ESCAPE '\\' OR upper(name) LIKE ? ESCAPE '\\')"
                params += [pattern, pattern]
            if category:
                sql += " AND category = ?"
                params.append(category.lower())
            rows = self._db.connection().execute(sql + " ORDER BY symbol", params).fetchall()
            return [self._entry(r) for r in rows]

        return await self._db.run(list_rows)

    async def get_catalogue_entry(self, symbol: str) -> CatalogueEntry | None:
        def get() -> CatalogueEntry | None:
            row = self._db.connection().execute(
                "SELECT * FROM instruments WHERE symbol = ?", (symbol.upper(),)
            )
            found = row.fetchone()
            return self._entry(found) if found else None

        return await self._db.run(get)

    async def list_workspace(self, user_id: str) -> list[str]:
        def list_symbols() -> list[str]:
            rows = self._db.connection().execute(
                "SELECT symbol FROM user_instruments WHERE user_id = ? ORDER BY added_at, symbol", (user_id,)
            )
            return [r[0] for r in rows.fetchall()]

        return await self._db.run(list_symbols)

    async def add_to_workspace(self, user_id: str, symbol: str) -> None:
        def add() -> None:
            with self._db.write() as conn:
                conn.execute(
                    "INSERT INTO user_instruments (user_id, symbol, added_at) VALUES (?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    (user_id, symbol.upper(), now_text()),
                )

        await self._db.run(add)

    async def remove_from_workspace(self, user_id: str, symbol: str) -> bool:
        def remove() -> bool:
            with self._db.write() as conn:
                cursor = conn.execute(
                    "DELETE FROM user_instruments WHERE user_id = ? AND symbol = ?", (user_id, symbol.upper())
                )
                return cursor.rowcount > 0

        return await self._db.run(remove)
