"""A PostgREST stand-in for tests: the subset of PostgREST's HTTP dialect that ``SupabaseStore`` speaks,
translated to SQL on a real PostgreSQL and run the way PostgREST runs it.

PostgREST itself cannot be installed here (no PyPI/Debian/npm package), so this is an httpx transport that:
verifies the JWT (HS256 test secret; expired → ``PGRST303``) or recognises the publishable/secret key, opens a
transaction, ``set local role`` to the token's role with ``request.jwt.claims`` set, runs one statement, and
answers with PostgREST's status codes and error body (``code``, ``message``, ``details``, ``hint``).

Supported: ``select`` (columns, ``*``, one embedded child ``child(*)`` found through its foreign key),
filters ``eq``/``lt``/``is`` and ``or=(…, and(…))`` with double-quoted values, ``order`` (also
``child.order``), ``limit``; POST insert/upsert (``on_conflict``, ``Prefer: resolution``/``return``); PATCH and
DELETE with filters; ``POST /rpc/<fn>`` with named arguments. Anything else is a 400, so an unsupported
request shape fails a test instead of passing silently.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

JWT_SECRET = "postgrest-lite-test-secret-of-32-bytes!"
PUBLISHABLE_KEY = "sb_publishable_test"
SERVICE_KEY = "sb_secret_test"
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
_OPERATORS = {"eq": "=", "lt": "<", "gt": ">", "lte": "<=", "gte": ">=", "neq": "<>"}
_HTTP_STATUS = {
    "42501": 403,
    "23505": 409,
    "23503": 409,
    "23502": 400,
    "23514": 400,
    "22P02": 400,
    "P0001": 400,
    "P0002": 404,
}


def mint_token(sub: str, *, ttl_s: int = 600) -> str:
    """A user access token as Supabase Auth issues them (role ``authenticated``)."""
    now = int(time.time())
    claims = {"sub": sub, "role": "authenticated", "aud": "authenticated", "iat": now, "exp": now + ttl_s}
    return jwt.encode(claims, JWT_SECRET, algorithm="HS256")


class RestError(Exception):
    def __init__(self, status: int, code: str, message: str, details: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def _ident(name: str) -> sql.Identifier:
    if not _IDENT.match(name):
        raise RestError(400, "PGRST100", f"unsupported identifier {name!r}")
    return sql.Identifier(name)


def _split_top(text: str) -> list[str]:
    """Split on commas outside parentheses and double quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and depth == 0 and ch == ",":
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


def _condition(column: str, expression: str) -> sql.Composable:
    operator, _, value = expression.partition(".")
    if operator == "is" and value == "null":
        return sql.SQL("{} is null").format(_ident(column))
    if operator not in _OPERATORS:
        raise RestError(400, "PGRST100", f"unsupported operator {operator!r}")
    return sql.SQL("{} {} {}").format(
        _ident(column), sql.SQL(_OPERATORS[operator]), sql.Literal(_unquote(value))
    )


def _logic(kind: str, body: str) -> sql.Composable:
    """``or(...)``/``and(...)`` trees of ``column.operator.value`` items."""
    items = []
    for item in _split_top(body):
        match = re.match(r"^(and|or)\((.*)\)$", item)
        if match:
            items.append(_logic(match.group(1), match.group(2)))
        else:
            column, _, expression = item.partition(".")
            items.append(_condition(column, expression))
    return sql.SQL("(") + sql.SQL(f" {kind} ").join(items) + sql.SQL(")")


def _order(spec: str, alias: str | None = None) -> sql.Composable:
    terms = []
    for term in spec.split(","):
        column, _, direction = term.partition(".")
        if direction not in ("", "asc", "desc"):
            raise RestError(400, "PGRST100", f"unsupported order {term!r}")
        target = sql.SQL("{}.{}").format(_ident(alias), _ident(column)) if alias else _ident(column)
        terms.append(sql.SQL("{} {}").format(target, sql.SQL(direction or "asc")))
    return sql.SQL(", ").join(terms)


@dataclass
class _Query:
    table: str
    columns: list[str]
    embeds: list[str]
    where: list[sql.Composable]
    order: dict[str, str]
    limit: int | None
    params: dict[str, str]


def _parse(table: str, params: list[tuple[str, str]]) -> _Query:
    query = _Query(table, ["*"], [], [], {}, None, {})
    for key, value in params:
        if key == "select":
            items = _split_top(value)
            query.columns = [i for i in items if "(" not in i]
            query.embeds = [re.sub(r"\(\*\)$", "", i) for i in items if i.endswith("(*)")]
            if len(query.columns) + len(query.embeds) != len(items):
                raise RestError(400, "PGRST100", f"unsupported select {value!r}")
        elif key == "or":
            query.where.append(_logic("or", value.removeprefix("(").removesuffix(")")))
        elif key == "order" or key.endswith(".order"):
            query.order[key.removesuffix("order").removesuffix(".")] = value
        elif key == "limit":
            query.limit = int(value)
        elif key in ("on_conflict", "columns"):
            query.params[key] = value
        else:
            query.where.append(_condition(key, value))
    return query


class PostgrestLite:
    """An httpx transport serving ``{base}/rest/v1/...`` from the database at ``conninfo``."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self.requests: list[httpx.Request] = []

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        try:
            role, claims = self._authenticate(request)
            status, body = await self._serve(request, role, claims)
        except RestError as exc:
            error = {"code": exc.code, "message": exc.message, "details": exc.details, "hint": None}
            return httpx.Response(exc.status, json=error)
        if body is None:
            return httpx.Response(status)
        return httpx.Response(status, content=body.encode(), headers={"content-type": "application/json"})

    def _authenticate(self, request: httpx.Request) -> tuple[str, dict[str, Any]]:
        api_key = request.headers.get("apikey")
        if api_key not in (PUBLISHABLE_KEY, SERVICE_KEY):
            raise RestError(401, "PGRST301", "No API key found in request")
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token == SERVICE_KEY:
            return "service_role", {"role": "service_role"}
        if token == PUBLISHABLE_KEY:
            return "anon", {"role": "anon"}
        try:
            claims = jwt.decode(token, JWT_SECRET, algorithms=["HS256"], audience="authenticated")
        except jwt.ExpiredSignatureError:
            raise RestError(401, "PGRST303", "JWT expired") from None
        except jwt.PyJWTError as exc:
            raise RestError(401, "PGRST301", f"JWT could not be decoded: {exc}") from None
        return claims["role"], claims

    async def _serve(
        self, request: httpx.Request, role: str, claims: dict[str, Any]
    ) -> tuple[int, str | None]:
        path = request.url.path.removeprefix("/rest/v1/")
        prefer = {p.strip() for p in request.headers.get("prefer", "").split(",") if p.strip()}
        body = json.loads(request.content) if request.content else None
        async with await psycopg.AsyncConnection.connect(self.conninfo) as conn:
            try:
                async with conn.transaction():
                    await conn.execute(
                        "select set_config('role', %s, true), set_config('request.jwt.claims', %s, true)",
                        (role, json.dumps(claims)),
                    )
                    if path.startswith("rpc/"):
                        return 200, await self._rpc(conn, path.removeprefix("rpc/"), body)
                    query = _parse(path, list(request.url.params.multi_items()))
                    return await self._table(conn, request.method, query, body, prefer)
            except psycopg.Error as exc:
                state = exc.sqlstate or "XX000"
                status = _HTTP_STATUS.get(state, 500)
                if state == "42501" and role == "anon":
                    status = 401
                detail = exc.diag.message_detail if exc.diag else None
                raise RestError(status, state, exc.diag.message_primary or str(exc), detail) from None

    async def _rpc(self, conn: psycopg.AsyncConnection, function: str, args: dict[str, Any]) -> str:
        named = sql.SQL(", ").join(sql.SQL("{} => {}").format(_ident(k), sql.Placeholder()) for k in args)
        values = [Jsonb(v) if isinstance(v, dict | list) else v for v in args.values()]
        statement = sql.SQL("select to_jsonb({}({}))::text").format(sql.Identifier("public", function), named)
        row = await (await conn.execute(statement, values)).fetchone()
        return "null" if row[0] is None else row[0]  # as PostgREST answers a function returning null

    async def _embed(self, conn: psycopg.AsyncConnection, parent: str, child: str) -> tuple[str, str]:
        """The child's foreign-key column and the parent column it references."""
        row = await (
            await conn.execute(
                "select (select attname from pg_attribute where attrelid = c.conrelid and attnum = c.conkey[1]),"
                " (select attname from pg_attribute where attrelid = c.confrelid and attnum = c.confkey[1])"
                " from pg_constraint c where c.contype = 'f'"
                " and c.conrelid = format('public.%%I', %s::text)::regclass"
                " and c.confrelid = format('public.%%I', %s::text)::regclass",
                (child, parent),
            )
        ).fetchone()
        if row is None:
            raise RestError(400, "PGRST200", f"no relationship between {parent} and {child}")
        return row[0], row[1]

    async def _table(
        self, conn: psycopg.AsyncConnection, method: str, query: _Query, body: Any, prefer: set[str]
    ) -> tuple[int, str | None]:
        table = sql.Identifier("public", query.table)
        where = sql.SQL(" where ") + sql.SQL(" and ").join(query.where) if query.where else sql.SQL("")
        if method == "GET":
            columns = [
                sql.SQL("t.*") if c == "*" else sql.SQL("t.{}").format(_ident(c)) for c in query.columns
            ]
            for child in query.embeds:
                fk, key = await self._embed(conn, query.table, child)
                order = (
                    sql.SQL(" order by ") + _order(query.order[child], "c")
                    if child in query.order
                    else sql.SQL("")
                )
                columns.append(
                    sql.SQL(
                        "(select coalesce(jsonb_agg(to_jsonb(c){}), '[]') from {} c where c.{} = t.{}) as {}"
                    ).format(order, sql.Identifier("public", child), _ident(fk), _ident(key), _ident(child))
                )
            order = sql.SQL(" order by ") + _order(query.order[""]) if "" in query.order else sql.SQL("")
            limit = (
                sql.SQL(" limit {}").format(sql.Literal(query.limit))
                if query.limit is not None
                else sql.SQL("")
            )
            statement = sql.SQL("select {} from {} t{}{}{}").format(
                sql.SQL(", ").join(columns), table, where, order, limit
            )
        elif method == "POST":
            rows = body if isinstance(body, list) else [body]
            names = list(rows[0])
            cols = sql.SQL(", ").join(_ident(n) for n in names)
            statement = sql.SQL(
                "insert into {} ({}) select {} from jsonb_populate_recordset(null::{}, {})"
            ).format(table, cols, cols, table, sql.Literal(Jsonb(rows)))
            if "on_conflict" in query.params:
                target = sql.SQL(", ").join(_ident(c) for c in query.params["on_conflict"].split(","))
                if "resolution=ignore-duplicates" in prefer:
                    statement += sql.SQL(" on conflict ({}) do nothing").format(target)
                else:
                    updates = sql.SQL(", ").join(
                        sql.SQL("{0} = excluded.{0}").format(_ident(n)) for n in names
                    )
                    statement += sql.SQL(" on conflict ({}) do update set {}").format(target, updates)
            statement += sql.SQL(" returning *")
        elif method == "PATCH":
            cols = sql.SQL(", ").join(_ident(n) for n in body)
            statement = sql.SQL(
                "update {} t set ({}) = (select {} from jsonb_populate_record(null::{}, {})){} returning *"
            ).format(table, cols, cols, table, sql.Literal(Jsonb(body)), where)
        elif method == "DELETE":
            statement = sql.SQL("delete from {} t{} returning *").format(table, where)
        else:
            raise RestError(405, "PGRST117", f"unsupported method {method}")
        wrapped = sql.SQL("with r as ({}) select to_jsonb(r)::text from r").format(statement)
        rows = await (await conn.execute(wrapped)).fetchall()
        if method != "GET" and "return=representation" not in prefer:
            return (201 if method == "POST" else 204), None
        return (201 if method == "POST" else 200), "[" + ",".join(r[0] for r in rows) + "]"
