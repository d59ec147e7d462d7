"""Fast inserts for bulk loads (bundles, imports, the demo): COPY on PostgreSQL, executemany on SQLite.

Django's ``bulk_create`` builds a multi-row statement per small batch (SQLite
allows 999 parameters), which dominates a load of tens of thousands of
entries. Here values go through each field's own ``get_db_prep_save`` (so
they are stored exactly as the ORM would store them), memoised per field,
and primary keys are allocated up front so that callers can link rows.
Call inside ``transaction.atomic``.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models

CHUNK = 10_000


def allocate_ids(model: type[models.Model], n: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the write lock is held (IMMEDIATE transactions), so max(id) cannot move under us.
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # the table name comes from the model
        start = cursor.fetchone()[0]
        return list(range(start + 1, start + n + 1))


def bulk_insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert ``objs`` (unsaved instances) and set their primary keys."""
    if not objs:
        return
    for obj, pk in zip(objs, allocate_ids(model, len(objs)), strict=True):
        obj.pk = pk
    fields = [f for f in model._meta.concrete_fields]
    for field in fields:  # auto_now_add and defaults, as save() would
        if getattr(field, "auto_now_add", False):
            for obj in objs:
                if getattr(obj, field.attname) is None:
                    field.pre_save(obj, add=True)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    caches: list[dict] = [{} for _ in fields]

    def prep(index: int, field, value):
        try:
            cache = caches[index]
            if value in cache:
                return cache[value]
            cache[value] = result = field.get_db_prep_save(value, connection)
            return result
        except TypeError:  # unhashable (JSON)
            return field.get_db_prep_save(value, connection)

    rows = [tuple(prep(i, f, getattr(obj, f.attname)) for i, f in enumerate(fields)) for obj in objs]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor.cursor, model, fields, rows)
        else:
            for start in range(0, len(rows), CHUNK):
                cursor.executemany(sql, rows[start : start + CHUNK])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def _copy(raw_cursor, model: type[models.Model], fields, rows) -> None:
    """PostgreSQL: COPY … FROM STDIN, an order of magnitude faster than row-by-row inserts."""
    quote = connection.ops.quote_name
    statement = "COPY {} ({}) FROM STDIN".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    with raw_cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def copy_rows(model: type[models.Model], attnames: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert plain tuples (values in ``attnames`` order, ids included) without building model instances.

    Values that are already what the database takes (str, int, None) go through as they are; on SQLite
    dates, datetimes, decimals and booleans go through the field's own ``get_db_prep_save``, memoised
    for this call only (so memory follows ``rows``); psycopg takes them as they are. For the lean
    ledger loader (``gongfen.ledger.bulkload``) and the ledger's log leaves.
    """
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in attnames]
    # PostgreSQL's adapters take dates, decimals and booleans as they are (psycopg dumps them); SQLite's need text
    prepared = [
        i
        for i, f in enumerate(fields)
        if connection.vendor != "postgresql"
        and isinstance(f, models.DateField | models.DecimalField | models.BooleanField | models.TimeField)
    ]
    if prepared:
        caches: dict[int, dict] = {i: {} for i in prepared}

        def prep(row: tuple) -> tuple:
            out = list(row)
            for i in prepared:
                value = out[i]
                cache = caches[i]
                try:
                    out[i] = cache[value]
                except KeyError:
                    out[i] = cache[value] = fields[i].get_db_prep_save(value, connection)
            return tuple(out)

        rows = [prep(row) for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with connection.wrap_database_errors:  # a psycopg error as Django's (IntegrityError, …)
                _copy(cursor.cursor, model, fields, rows)
        else:
            quote = connection.ops.quote_name
            sql = "INSERT INTO {} ({}) VALUES ({})".format(
                quote(model._meta.db_table),
                ", ".join(quote(f.column) for f in fields),
                ", ".join(["%s"] * len(fields)),
            )
            cursor.executemany(sql, rows)
