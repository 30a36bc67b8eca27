"""Queries whose SQL is compiled once per shape (issue 19): grouped ``values()`` queries (the dashboard's
figures) and, through ``compiled_objects``, small model queries that every request runs (the API token's
look-up).

Building and compiling a large grouped query through the ORM (a CASE ladder of months, filtered counts, a
window function) costs milliseconds, the same on every request but for a moment or a period. On
PostgreSQL ``compiled_rows`` compiles the query once per key with *stand-in* values where the moment or
period goes, keeps its SQL, and puts this call's values in the parameters: the stand-ins are dates or
datetimes no real figure uses (the year 1901), replaced only where a parameter is one of them, of the same
type. Elsewhere (SQLite) the query is built and run as usual. The rows are dicts keyed as ``values()``
keys them; on PostgreSQL straight from the cursor, without Django's per-row converters: psycopg gives
what the figures read (ints, dates, booleans, strings, intervals as timedeltas; a bigint sum as a Decimal).
"""

import datetime
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import DateTimeField
from django.db.models.query import ModelIterable, get_related_populators

_SQL: dict[tuple[Any, ...], tuple[str, tuple[Any, ...], list[str]] | None] = {}
_OBJECTS: dict[tuple[Any, ...], "_CompiledObjects | None"] = {}
_SIZE = 256


def compiled_rows(
    key: tuple[Any, ...],
    build: Callable[[], Any],
    build_with_stand_ins: Callable[[], Any],
    stand_ins: Mapping[Any, Any],
    *,
    needed: int,
    prepared: bool = False,
) -> list[dict[str, Any]]:
    """The rows of the ``values()`` query ``build()``; on PostgreSQL its SQL compiled once per ``key``
    (everything the SQL depends on) from ``build_with_stand_ins()``, the same query but for the stand-ins
    where this call's values go. ``stand_ins`` maps each stand-in to this call's value. ``needed``: how many
    different stand-ins the compiled parameters must hold for the SQL to be kept (fewer: a value went into
    the SQL some other way, and the query is compiled on every call). ``prepared``: sent through
    ``bound_cursor`` (for a query whose values are all where PostgreSQL knows their type, e.g. compared
    with a column; a value in a select list or a ``CASE`` has none with server-side binding)."""
    if connection.vendor != "postgresql":
        return list(build())

    def compile_rows() -> tuple[str, tuple[Any, ...], list[str]] | None:
        qs = build_with_stand_ins()
        query = qs.query
        sql, params = query.get_compiler(using=qs.db).as_sql()
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        return (sql, tuple(params), names) if _holds_stand_ins(params, stand_ins, needed) else None

    entry = _entry(_SQL, key, compile_rows)
    if entry is None:
        return value_rows(build())
    sql, params, names = entry
    return _cursor_rows(sql, [_replaced(p, stand_ins) for p in params], names, prepared=prepared)


def value_rows(qs: Any) -> list[dict[str, Any]]:
    """The rows of a ``values()`` query as dicts; on PostgreSQL straight from the cursor."""
    if connection.vendor != "postgresql":
        return list(qs)
    query = qs.query
    sql, params = query.get_compiler(using=qs.db).as_sql()
    return _cursor_rows(sql, params, [*query.extra_select, *query.values_select, *query.annotation_select])


class _CompiledObjects:
    """A model query's SQL and what Django's ``ModelIterable`` reads off the compiler to build the rows'
    instances (the columns each model's instance takes, the ``select_related()`` populators): neither
    holds a connection, so one entry serves every thread."""

    def __init__(self, sql: str, params: tuple[Any, ...], db: str, compiler: Any) -> None:
        self.sql, self.params, self.db = sql, params, db
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        # Django 5.2's signature; django-stubs already describes Django 6's (a fetch_mode argument)
        self.related_populators = get_related_populators(klass_info, select, db)  # type: ignore[call-arg]
        self.annotations = list(compiler.annotation_col_map.items())

    def objects(self, params: list[Any]) -> list[Any]:
        with bound_cursor(connections[self.db]) as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        found = []
        for row in rows:
            obj = self.model.from_db(self.db, self.init_list, row[self.start : self.end])
            for populator in self.related_populators:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found


def compiled_objects(
    key: tuple[Any, ...],
    build: Callable[[], Any],
    build_with_stand_ins: Callable[[], Any],
    stand_ins: Mapping[Any, Any],
    *,
    needed: int,
) -> list[Any]:
    """The model instances of the queryset ``build()``, as Django's iteration of it gives them (the same
    field values, ``select_related()`` objects cached on them, loaded from the database ``build()`` reads);
    on PostgreSQL its SQL compiled once per ``key`` from ``build_with_stand_ins()`` as ``compiled_rows``
    does. Only a plain query is kept compiled: model instances (no ``values()``; an annotation is set on
    each instance as Django sets it), no ``prefetch_related()``, and no column that Django converts after
    reading it (none does on PostgreSQL for the usual fields; one that does, e.g. a JSON or a custom
    field, keeps the query built by the ORM on every call). Anything else is built and run as usual, on every call."""
    if connection.vendor != "postgresql":
        return list(build())
    entry = _entry(_OBJECTS, key, lambda: _compile_objects(build_with_stand_ins(), stand_ins, needed))
    if entry is None:
        return list(build())
    return entry.objects([_replaced(p, stand_ins) for p in entry.params])


def _compile_objects(qs: Any, stand_ins: Mapping[Any, Any], needed: int) -> _CompiledObjects | None:
    if (
        qs._iterable_class is not ModelIterable
        or qs._prefetch_related_lookups
        or qs._known_related_objects
        or connections[qs.db].vendor != "postgresql"
    ):
        return None
    compiler = qs.query.get_compiler(using=qs.db)
    sql, params = compiler.as_sql()
    if compiler.get_converters([s[0] for s in compiler.select]):
        return None
    if not _holds_stand_ins(params, stand_ins, needed):
        return None
    return _CompiledObjects(sql, tuple(params), qs.db, compiler)


def _entry(store: dict[tuple[Any, ...], Any], key: tuple[Any, ...], compile_: Callable[[], Any]) -> Any:
    """``store[key]``, compiled by ``compile_()`` the first time (the store emptied when it is full)."""
    if key not in store:
        if len(store) >= _SIZE:
            store.clear()
        store[key] = compile_()
    return store[key]


def _holds_stand_ins(params: Sequence[Any], stand_ins: Mapping[Any, Any], needed: int) -> bool:
    """The compiled parameters hold at least ``needed`` different stand-ins (fewer: a value went into the
    SQL some other way, and the SQL cannot be kept)."""
    return len({p for p in params if _stand_in(p, stand_ins) is not None}) >= needed


def _stand_in(value: Any, stand_ins: Mapping[Any, Any]) -> Any:
    """The stand-in ``value`` is, of the same type (a datetime never stands in for a date), or None."""
    for stand_in in stand_ins:
        if type(value) is type(stand_in) and value == stand_in:
            return stand_in
    return None


def _replaced(value: Any, stand_ins: Mapping[Any, Any]) -> Any:
    stand_in = _stand_in(value, stand_ins)
    return value if stand_in is None else stand_ins[stand_in]


def _cursor_rows(
    sql: str, params: Sequence[Any], names: list[str], *, prepared: bool = False
) -> list[dict[str, Any]]:
    with bound_cursor(connection) if prepared else connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --- the compiled statements sent prepared ----------------------------------------------------------
# Django binds a query's values into its text on the client (psycopg's ClientCursor), so PostgreSQL parses
# and plans every statement afresh: for the submission's three WITH … INSERT statements and the token's
# look-up that was ≈ 0.6 ms of planning and more of parsing, about a third of the database's CPU for a
# submission (pg_stat_statements, issue 19). The statements this module keeps compiled are the same text
# on every call, so they go through ``bound_cursor``: psycopg's server-side binding, each statement
# prepared on the connection the first time it runs there (``prepare=True``) and executed by name after
# (PostgreSQL then plans it once, or keeps a generic plan). Django's own queries are untouched: the
# connection prepares nothing unasked (``prepare_threshold``, portal/settings.py). Behind PgBouncer's
# transaction pooling (``DATABASE_PGBOUNCER``) the settings leave ``prepare_threshold`` None: nothing is
# prepared, the values still travel apart from the text (unnamed statements, which transaction pooling
# allows). psycopg forgets its prepared statements on a ROLLBACK, DISCARD or DDL (``ALTER``, ``DROP``) and
# prepares them again; PostgreSQL re-plans a prepared statement after a schema change.


@functools.cache
def _preparing_cursor_class() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        """Server-side binding; every statement prepared where the connection allows it. With the queries
        logged (DEBUG, a test capturing them) each statement is also kept as Django's own cursor would
        show it, its values in the text."""

        log = ""  # the connection's alias while its queries are logged

        def execute(self, query: Any, params: Any = None, *, prepare: Any = None, binary: Any = None) -> Any:
            super().execute(query, params, prepare=True, binary=binary)  # type: ignore[misc]
            if self.log:
                ops: Any = connections[self.log].ops
                text = ops.compose_sql(str(query), params)
                self._query = _Logged(text.encode())
            return self

    return PreparingCursor


class _Logged:
    """What Django's ``last_executed_query`` reads off a cursor (``cursor._query.query``)."""

    def __init__(self, query: bytes) -> None:
        self.query = query


def bound_cursor(connection: Any) -> Any:
    """A cursor of ``connection`` (PostgreSQL) for the statements this module keeps compiled: psycopg's
    server-side binding, each statement prepared (see above); wrapped as Django wraps its own cursors
    (the query log, the execute wrappers, Django's database errors). Any other database: its own cursor."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = _preparing_cursor_class()(connection.connection)
    _same_time_zone(connection, raw)
    if connection.queries_logged:
        raw.log = connection.alias
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def _same_time_zone(connection: Any, cursor: Any) -> None:
    """What Django's ``create_cursor`` does for its own cursors: date-times read in the connection's
    time zone."""
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    if connection.timezone != loader.timezone:
        register_tzloader(connection.timezone, cursor)


# --- inserts compiled once per shape --------------------------------------------------------------------
# ``Model.save()`` of a new row builds an ``InsertQuery`` and compiles it for every row: the table and
# every column name quoted, every value run through ``prepare_value`` and ``field_as_sql`` — about half
# of an insert's CPU for the 20–60 columns of the rows a submission writes (issue 19). The SQL depends only
# on the model, the columns and the returned columns: built once per process for that shape.

_INSERTS: dict[tuple[Any, ...], "_CompiledInsert | None"] = {}


# A column's value goes through five method calls in the ORM (``pre_save``, ``get_db_prep_save``,
# ``get_db_prep_value``, ``get_prep_value``, ``to_python``) and for most columns they hand the attribute
# back as it is: ≈ 180 columns a submission (the case and its history record are 60 each). For the field
# classes below — exactly these classes, not subclasses, which may convert — a value of the named type, or
# None, is what those calls return on PostgreSQL; anything else takes the ORM's calls. An automatic id, and a
# foreign key to one, is written as it is (``validate_autopk_value``); the other integer columns are not:
# Django wraps their values in psycopg's sized types (``adapt_integerfield_value``).
@functools.cache
def _as_is_types() -> dict[type, type]:
    from django.db import models

    return {
        models.CharField: str,
        models.TextField: str,
        models.EmailField: str,
        models.SlugField: str,
        models.URLField: str,
        models.AutoField: int,
        models.BigAutoField: int,
        models.SmallAutoField: int,
        models.BooleanField: bool,
    }


def as_is_type(field: Any) -> type | None:
    """The value type ``field`` writes unchanged on PostgreSQL (see above), or None: the ORM's calls."""
    from django.db.models import ForeignKey, OneToOneField

    as_is = _as_is_types()
    if type(field) in (ForeignKey, OneToOneField):
        return int if as_is.get(type(field.target_field)) is int else None
    return as_is.get(type(field))


def value_plan(fields: Sequence[Any]) -> tuple[tuple[Any, type | None, bool], ...]:
    """How ``prepared_values`` takes each field's value: the field, its ``as_is_type``, and whether it is an
    automatic timestamp (a ``DateTimeField`` with ``auto_now`` or ``auto_now_add``)."""
    return tuple((f, as_is_type(f), _stamped(f)) for f in fields)


def prepared_values(
    plan: Sequence[tuple[Any, type | None, bool]],
    obj: Any,
    connection: Any,
    moment: datetime.datetime | None = None,
) -> list[Any] | None:
    """The values the ORM writes for ``obj``'s fields (``plan``: from ``value_plan``):
    ``get_db_prep_save(pre_save(obj, add=True))``; None when one of them is an expression (``F()``,
    ``Now()``…), which only the ORM can compile. Every field's ``pre_save`` has run either way (the
    automatic timestamps stamped, the files committed), so the ORM can then take the values as they are
    (``raw``). ``moment``: the automatic timestamps' value instead of the clock's at each field, set on
    ``obj`` as ``pre_save`` sets it."""
    params: list[Any] | None = []
    for field, as_is, stamped in plan:
        if as_is is not None:
            value = getattr(obj, field.attname)
            if value is None or type(value) is as_is:
                if params is not None:
                    params.append(value)
                continue
        if stamped and moment is not None:
            setattr(obj, field.attname, moment)
            value = moment
        else:
            value = field.pre_save(obj, True)
        if params is None:
            continue
        if hasattr(value, "resolve_expression"):
            params = None
        else:
            params.append(field.get_db_prep_save(value, connection=connection))
    return params


# psycopg converts a statement's ``%s`` placeholders once per text and keeps the result, but only for a
# statement of at most 50 parameters (``psycopg._queries.MAX_CACHED_STATEMENT_PARAMS``); one with more is
# split again on every call (≈ 0.2 ms for the case's ≈ 60 columns). A wider row's empty (None) values are
# therefore written as ``NULL`` in the text, one text per pattern of empty columns, which keeps a new
# case's insert and its history record under the limit. The row written is the same.
PSYCOPG_CACHED_PARAMS = 50


class _NullsInText:
    """A statement's text (``sql``, its values ``%s``) and the same text with a call's empty (None) values
    written as ``NULL``: one text per pattern of empty values, kept (at most 64: a model has few patterns
    of empty columns in practice)."""

    def __init__(self, sql: str) -> None:
        self.sql = sql
        self._parts = sql.split("%s")
        self._by_nulls: dict[tuple[bool, ...], str] = {}

    def with_nulls(self, params: list[Any]) -> tuple[str, list[Any]]:
        nulls = tuple(p is None for p in params)
        sql = self._by_nulls.get(nulls)
        if sql is None:
            if len(self._by_nulls) >= 64:
                self._by_nulls.clear()
            pieces = [self._parts[0]]
            for null, part in zip(nulls, self._parts[1:], strict=True):
                pieces += ["NULL" if null else "%s", part]
            sql = self._by_nulls[nulls] = "".join(pieces)
        return sql, [p for p in params if p is not None]


class _CompiledInsert(_NullsInText):
    """One shape of ``INSERT INTO table (columns) VALUES (%s, …) [RETURNING …]``, as Django's
    ``SQLInsertCompiler`` writes it for one row of plain values; for a row of more than
    ``PSYCOPG_CACHED_PARAMS`` values, the same with its empty values written as ``NULL``."""

    def __init__(self, head: str, fields: Sequence[Any], tail: str) -> None:
        self.head, self.fields, self.tail, self.returning = head, tuple(fields), tail, bool(tail)
        self.plan = value_plan(self.fields)
        super().__init__(f"{head} VALUES ({', '.join(['%s'] * len(self.fields))}){tail}")

    def statement(self, params: list[Any]) -> tuple[str, list[Any]]:
        """The text and parameters to send for one row's values."""
        if len(params) <= PSYCOPG_CACHED_PARAMS or not any(p is None for p in params):
            return self.sql, params
        return self.with_nulls(params)


def compiled_insert(obj: Any, manager: Any, using: str, fields: Any, returning_fields: Any, raw: bool) -> Any:
    """What ``Model._do_insert`` returns (the returned columns' values of the new row, ``[]`` when none
    are asked for), the row written as Django writes it: every value is the field's
    ``get_db_prep_save(pre_save(obj, add=True))``, and the SQL, built once per (model, columns, returned
    columns, database), is the text Django's compiler builds for one row of plain values. On any other
    database than PostgreSQL, for a raw save, a field with a placeholder of its own, returned columns Django
    converts after reading them, or a value that is an expression (``F()``, ``Now()``…), the ORM writes
    the row as usual."""
    connection = connections[using]
    if raw or connection.vendor != "postgresql":
        return manager._insert([obj], fields=fields, returning_fields=returning_fields, using=using, raw=raw)
    followers = obj.__dict__.get(_FOLLOWERS_ATTR)
    if followers:  # save_with_followers: the rows that follow it in the same statement
        return _insert_with_followers(obj, followers, manager, using, fields, returning_fields)
    key = (type(obj), using, tuple(map(id, fields)), tuple(map(id, returning_fields or ())))
    entry = _entry(_INSERTS, key, lambda: _compile_insert(obj._meta, connection, fields, returning_fields))
    if entry is None:
        return manager._insert([obj], fields=fields, returning_fields=returning_fields, using=using, raw=raw)
    prepared = prepared_values(entry.plan, obj, connection)
    if prepared is None:
        # the ORM compiles the expression; pre_save has run (auto_now stamped, the file committed) and
        # left on the instance what it returned, so the ORM takes the values as they are (raw)
        return manager._insert([obj], fields=fields, returning_fields=returning_fields, using=using, raw=True)
    sql, params = entry.statement(prepared)
    with bound_cursor(connection) as cursor:
        cursor.execute(sql, params)
        return [cursor.fetchone()] if entry.returning else []


def _compile_insert(opts: Any, connection: Any, fields: Any, returning_fields: Any) -> _CompiledInsert | None:
    from django.db.models.sql import InsertQuery

    if not fields or any(getattr(f, "get_placeholder", None) is not None for f in fields):
        return None
    qn = connection.ops.quote_name
    head = (
        f"{connection.ops.insert_statement(on_conflict=None)} {qn(opts.db_table)}"
        f" ({', '.join(qn(f.column) for f in fields)})"
    )
    tail = ""
    if returning_fields:
        if not connection.features.can_return_columns_from_insert:
            return None
        returning_sql, returning_params = connection.ops.return_insert_columns(returning_fields)
        compiler = InsertQuery(opts.model).get_compiler(connection=connection)
        if returning_params or compiler.get_converters([f.get_col(opts.db_table) for f in returning_fields]):
            return None
        tail = f" {returning_sql}"
    return _CompiledInsert(head, fields, tail)


class CompiledInsertModel:
    """A model's new rows written through ``compiled_insert`` (``save()``, ``objects.create()``; the
    signals, simple-history's records, django-fsm and ``audited_save`` as before). Put it before
    ``models.Model`` in the bases; for a historical model, in ``HistoricalRecords(bases=[...])``."""

    def _do_insert(self, manager: Any, using: str, fields: Any, returning_fields: Any, raw: bool) -> Any:
        return compiled_insert(self, manager, using, fields, returning_fields, raw)


# --- a row and its children in one statement ---------------------------------------------------------
# ``WITH p AS (INSERT INTO parent (…) VALUES (…) RETURNING id) INSERT INTO child (fk, …) SELECT p.id, v.*
# FROM p, (VALUES (…), (…)) AS v(…) RETURNING id, fk, match``: one round trip for a row and its children
# (the receipt of every online submission and its deliveries), the values prepared as ``compiled_insert``
# prepares them. The SQL and both field lists are kept per (parent, child, link, match, count, database).


class _CompiledFamily:
    def __init__(self, parent: Any, child: Any, link: str, match: str, count: int, connection: Any) -> None:
        qn = connection.ops.quote_name
        self.parent_fields = tuple(f for f in parent._meta.concrete_fields if not f.primary_key)
        link_field = child._meta.get_field(link)
        self.child_fields = tuple(
            f for f in child._meta.concrete_fields if not f.primary_key and f is not link_field
        )
        self.link_attname = link_field.attname
        self.parent_plan = value_plan(self.parent_fields)
        self.child_plan = value_plan(self.child_fields)
        parent_columns = ", ".join(qn(f.column) for f in self.parent_fields)
        child_columns = ", ".join(qn(f.column) for f in self.child_fields)
        # the VALUES rows carry no column types of their own: each value is cast to its column's type
        row = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in self.child_fields) + ")"
        names = ", ".join(f"v{i}" for i in range(len(self.child_fields)))
        pk, child_pk = qn(parent._meta.pk.column), qn(child._meta.pk.column)
        self.sql = (
            f"WITH p AS (INSERT INTO {qn(parent._meta.db_table)} ({parent_columns}) "  # noqa: S608 - names, not input
            f"VALUES ({', '.join(['%s'] * len(self.parent_fields))}) RETURNING {pk}) "
            f"INSERT INTO {qn(child._meta.db_table)} ({qn(link_field.column)}, {child_columns}) "
            f"SELECT p.{pk}, {names} FROM p, (VALUES {', '.join([row] * count)}) AS v({names}) "
            f"RETURNING {child_pk}, {qn(link_field.column)}, {qn(child._meta.get_field(match).column)}"
        )


_FAMILIES: dict[tuple[Any, ...], _CompiledFamily] = {}


def insert_with_children(
    parent: Any, children: Sequence[Any], *, link: str, match: str, moment: datetime.datetime | None = None
) -> None:
    """Insert the new row ``parent`` and its new rows ``children`` (each with ``link``, a foreign key to
    ``parent``; ``match``, a field unique among them that gives each written row back to its object) as
    ``bulk_create`` would write them, without signals: every value the field's
    ``get_db_prep_save(pre_save(obj, add=True))`` (the automatic timestamps), and the ids set on the
    objects. ``moment``: the value of every automatic timestamp (a ``DateTimeField`` with ``auto_now`` or
    ``auto_now_add``) of the rows instead of the clock's at each field, set on the objects as ``pre_save``
    sets it (rows written as one, at one moment). On PostgreSQL in one statement; elsewhere, or for a
    value that is an expression, the ORM's two ``bulk_create`` calls (with a ``moment``, the ORM's insert
    of each row with the values as they are)."""
    connection = connections[DEFAULT_DB_ALIAS]
    model, child_model = type(parent), type(children[0]) if children else None
    if child_model is None or connection.vendor != "postgresql":
        _bulk_created(parent, children, link, moment)
        return
    key = (model, child_model, link, match, len(children), connection.alias)
    family = _entry(
        _FAMILIES, key, lambda: _CompiledFamily(model, child_model, link, match, len(children), connection)
    )
    params = prepared_values(family.parent_plan, parent, connection, moment)
    for child in children:
        more = prepared_values(family.child_plan, child, connection, moment)
        params = None if params is None or more is None else params + more
    if params is None:
        _bulk_created(parent, children, link, moment)
        return
    with bound_cursor(connection) as cursor:
        cursor.execute(family.sql, params)
        rows = cursor.fetchall()
    written = {found: (pk, parent_pk) for pk, parent_pk, found in rows}
    parent.pk = rows[0][1]
    parent._state.adding, parent._state.db = False, connection.alias
    for child in children:
        child.pk, parent_pk = written[getattr(child, match)]
        setattr(child, family.link_attname, parent_pk)
        child._state.adding, child._state.db = False, connection.alias


def _stamped(field: Any) -> bool:
    return isinstance(field, DateTimeField) and bool(field.auto_now or field.auto_now_add)


def _bulk_created(
    parent: Any, children: Sequence[Any], link: str, moment: datetime.datetime | None = None
) -> None:
    if moment is not None:
        _inserted_as_is(parent, moment)
        for child in children:
            setattr(child, link, parent)
            _inserted_as_is(child, moment)
        return
    type(parent).objects.bulk_create([parent])
    for child in children:
        setattr(child, link, parent)  # the parent's id, now that it has one
    if children:
        type(children[0]).objects.bulk_create(children)


def _inserted_as_is(obj: Any, moment: datetime.datetime) -> None:
    """``obj`` inserted by the ORM as ``bulk_create`` writes a new row (its columns but the primary key,
    no signals), its automatic timestamps ``moment``: the other values taken through ``pre_save`` first,
    then written as they are (raw), so the ORM does not stamp the clock's."""
    opts = obj._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key and not getattr(f, "generated", False)]
    using = DEFAULT_DB_ALIAS
    prepared_values(value_plan(fields), obj, connections[using], moment)  # pre_save's work, the moment's
    returning = opts.db_returning_fields
    rows = type(obj)._base_manager._insert(
        [obj], fields=fields, returning_fields=returning, using=using, raw=True
    )
    for value, field in zip(rows[0], returning, strict=True):
        setattr(obj, field.attname, value)
    obj._state.adding, obj._state.db = False, using


# --- a new row and the rows that follow it, in one statement ------------------------------------------
# ``WITH p AS (INSERT INTO parent (…) VALUES (…) RETURNING *), f0 AS (INSERT INTO follower (link, copied…,
# own…) SELECT p.id, p.copied…, %s… FROM p RETURNING id), … SELECT p.returned…, p.id, f0.id, … FROM p, f0,
# …``: a new row and rows written with it (a new case, its history record and its transition row, issue
# 19) in one round trip, every value prepared as ``compiled_insert`` prepares it. A follower's link column
# takes the parent's primary key and its copied columns the parent's columns of the same attname as the
# parent's row holds them (a history record's copy of its row), so they are neither sent twice nor
# converted twice; PostgreSQL gives each ``SELECT`` value, parameters too, its column's type as it does in
# ``VALUES``. Empty values are written as ``NULL`` in the text, as ``_CompiledInsert`` writes them, which keeps
# the statement under psycopg's cached-parameter limit.


class Follower(NamedTuple):
    """A new row written in the statement of its parent's insert (``save_with_followers``)."""

    obj: Any  # the new model instance; its own values are ``get_db_prep_save(pre_save(obj, add=True))``
    link: str  # the attname of its field that takes the parent's primary key
    copied: tuple[str, ...] = ()  # attnames of its fields that take the parent's column of the same attname


_FOLLOWERS_ATTR = "_compiled_followers"


class _CompiledWithFollowers(_NullsInText):
    def __init__(self, template: str, groups: Sequence[Sequence[Any]], returned: int) -> None:
        super().__init__(template)
        self.groups, self.returned = tuple(tuple(g) for g in groups), returned
        self.plans = tuple(value_plan(group) for group in self.groups)


_WITH_FOLLOWERS: dict[tuple[Any, ...], _CompiledWithFollowers | None] = {}


def save_with_followers(obj: Any, followers: Sequence[Follower], **save_kwargs: Any) -> bool:
    """``obj.save(**save_kwargs)`` of the new row ``obj`` (a ``CompiledInsertModel``: Django's own
    ``save()``, its signals and what it sets on the instance), with the new rows ``followers`` written in the
    same statement on PostgreSQL: each one's primary key, link and copied values set on its instance and
    ``_state`` that of a saved row, as after its own ``save()``, but *without its signals*: the caller
    sends those it keeps (its ``pre_save`` cannot be sent with the same arguments: the parent has no key
    yet). True when the followers were written; False when only ``obj`` was (elsewhere than PostgreSQL, a
    raw save, a value that is an expression): the caller writes them as usual."""
    obj.__dict__[_FOLLOWERS_ATTR] = tuple(followers)
    try:
        obj.save(**save_kwargs)
    finally:
        obj.__dict__.pop(_FOLLOWERS_ATTR, None)
    return bool(followers) and not followers[0].obj._state.adding


def sent_post_save(obj: Any) -> None:
    """The ``post_save`` a new row's own ``save()`` sends, for a follower ``save_with_followers`` wrote
    (sent by the caller once the statement has run)."""
    from django.db.models.signals import post_save

    post_save.send(
        sender=type(obj), instance=obj, created=True, update_fields=None, raw=False, using=obj._state.db
    )


def _insert_with_followers(
    obj: Any, followers: Sequence[Follower], manager: Any, using: str, fields: Any, returning_fields: Any
) -> Any:
    connection = connections[using]
    key = (
        type(obj),
        using,
        tuple(map(id, fields)),
        tuple(map(id, returning_fields or ())),
        tuple((type(f.obj), f.link, f.copied) for f in followers),
    )
    entry = _entry(
        _WITH_FOLLOWERS,
        key,
        lambda: _compile_with_followers(obj._meta, connection, fields, returning_fields, followers),
    )
    if entry is None:
        return manager._insert(
            [obj], fields=fields, returning_fields=returning_fields, using=using, raw=False
        )
    params: list[Any] | None = []
    for target, plan in zip((obj, *(f.obj for f in followers)), entry.plans, strict=True):
        values = prepared_values(plan, target, connection)
        params = None if params is None or values is None else params + values
    if params is None:
        # the ORM writes the parent alone, its values as every pre_save left them (as compiled_insert)
        return manager._insert([obj], fields=fields, returning_fields=returning_fields, using=using, raw=True)
    sql, params = entry.with_nulls(params)
    with bound_cursor(connection) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    parent_pk = row[entry.returned]
    for follower, pk in zip(followers, row[entry.returned + 1 :], strict=True):
        written = follower.obj
        # into the instance's dict: a foreign key's descriptor would drop the parent cached on the
        # follower (its key was None until now), which the ORM keeps when the follower is built after it
        written.__dict__[follower.link] = parent_pk
        for attname in follower.copied:  # into the dict too: a protected state field refuses a second set
            written.__dict__[attname] = getattr(obj, attname)
        written.pk = pk
        written._state.adding, written._state.db = False, using
    return [row[: entry.returned]] if entry.returned else []


def _compile_with_followers(
    opts: Any, connection: Any, fields: Any, returning_fields: Any, followers: Sequence[Follower]
) -> _CompiledWithFollowers | None:
    parent = _compile_insert(opts, connection, fields, returning_fields)
    if parent is None or opts.pk.attname in {f.attname for f in fields}:
        return None  # the key given, not returned: the ORM's insert, the followers the caller's
    qn = connection.ops.quote_name
    by_attname = {f.attname: f for f in opts.concrete_fields}
    groups: list[Sequence[Any]] = [parent.fields]
    ctes = [f"p AS ({parent.sql.removesuffix(parent.tail)} RETURNING *)"]
    for n, follower in enumerate(followers):
        meta = follower.obj._meta
        columns, values, own = [], [], []
        for field in meta.concrete_fields:
            if field.primary_key or field.generated:
                continue
            if field.attname == follower.link:
                source = opts.pk
            elif field.attname in follower.copied:
                source = by_attname[field.attname]
            elif getattr(field, "get_placeholder", None) is not None:
                return None
            else:
                source = None
                own.append(field)
            columns.append(qn(field.column))
            values.append("%s" if source is None else f"p.{qn(source.column)}")
        ctes.append(
            f"f{n} AS (INSERT INTO {qn(meta.db_table)} ({', '.join(columns)}) "  # noqa: S608 - names, not input
            f"SELECT {', '.join(values)} FROM p RETURNING {qn(meta.pk.column)})"
        )
        groups.append(own)
    returned = [f"p.{qn(f.column)}" for f in returning_fields or ()]
    keys = [f"p.{qn(opts.pk.column)}"] + [
        f"f{n}.{qn(f.obj._meta.pk.column)}" for n, f in enumerate(followers)
    ]
    template = (
        f"WITH {', '.join(ctes)} SELECT {', '.join(returned + keys)} "  # noqa: S608 - names, not input
        f"FROM p, {', '.join(f'f{n}' for n in range(len(followers)))}"
    )
    return _CompiledWithFollowers(template, groups, len(returned))
