"""Grouped ``values()`` queries whose SQL is compiled once per shape (the dashboard's figures, issue 19).

Building and compiling a large grouped query through the ORM (a CASE ladder of months, filtered counts, a
window function) costs milliseconds, the same on every request but for a moment or a period. On
PostgreSQL ``compiled_rows`` compiles the query once per key with *stand-in* values where the moment or
period goes, keeps its SQL, and puts this call's values in the parameters: the stand-ins are dates or
datetimes no real figure uses (the year 1901), replaced only where a parameter is one of them, of the same
type. Elsewhere (SQLite) the query is built and run as usual. The rows are dicts keyed as ``values()``
keys them; on PostgreSQL straight from the cursor, without Django's per-row converters: psycopg gives
what the figures read (ints, dates, booleans, strings, intervals as timedeltas; a bigint sum as a Decimal).
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import connection

_SQL: dict[tuple[Any, ...], tuple[str, tuple[Any, ...], list[str]] | None] = {}
_SIZE = 256


def compiled_rows(
    key: tuple[Any, ...],
    build: Callable[[], Any],
    build_with_stand_ins: Callable[[], Any],
    stand_ins: Mapping[Any, Any],
    *,
    needed: int,
) -> list[dict[str, Any]]:
    """The rows of the ``values()`` query ``build()``; on PostgreSQL its SQL compiled once per ``key``
    (everything the SQL depends on) from ``build_with_stand_ins()``, the same query but for the stand-ins
    where this call's values go. ``stand_ins`` maps each stand-in to this call's value. ``needed``: how many
    different stand-ins the compiled parameters must hold for the SQL to be kept (fewer: a value went into
    the SQL some other way, and the query is compiled on every call)."""
    if connection.vendor != "postgresql":
        return list(build())
    if key not in _SQL:
        if len(_SQL) >= _SIZE:
            _SQL.clear()
        qs = build_with_stand_ins()
        query = qs.query
        sql, params = query.get_compiler(using=qs.db).as_sql()
        found = {p for p in params if _stand_in(p, stand_ins) is not None}
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        _SQL[key] = (sql, tuple(params), names) if len(found) >= needed else None
    entry = _SQL[key]
    if entry is None:
        return value_rows(build())
    sql, params, names = entry
    return _cursor_rows(sql, [_replaced(p, stand_ins) for p in params], names)


def value_rows(qs: Any) -> list[dict[str, Any]]:
    """The rows of a ``values()`` query as dicts; on PostgreSQL straight from the cursor."""
    if connection.vendor != "postgresql":
        return list(qs)
    query = qs.query
    sql, params = query.get_compiler(using=qs.db).as_sql()
    return _cursor_rows(sql, params, [*query.extra_select, *query.values_select, *query.annotation_select])


def _stand_in(value: Any, stand_ins: Mapping[Any, Any]) -> Any:
    """The stand-in ``value`` is, of the same type (a datetime never stands in for a date), or None."""
    for stand_in in stand_ins:
        if type(value) is type(stand_in) and value == stand_in:
            return stand_in
    return None


def _replaced(value: Any, stand_ins: Mapping[Any, Any]) -> Any:
    stand_in = _stand_in(value, stand_ins)
    return value if stand_in is None else stand_ins[stand_in]


def _cursor_rows(sql: str, params: Sequence[Any], names: list[str]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
