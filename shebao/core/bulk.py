"""Appending many rows to one table inside the caller's transaction, the fastest plain way per backend.

PostgreSQL: ``COPY … FROM STDIN`` (psycopg 3). Django's ``bulk_create`` sends PostgreSQL one array per column
(``INSERT … SELECT * FROM UNNEST(…)``), and psycopg escapes every element of a text array with a regular
expression: for rows that carry JSON (a declaration's data) that escaping cost more than the insert itself
(50,000 declarations: ~60 % of the time). Other backends: ``bulk_create``.

Nothing here runs model code: the caller gives every column's value (``auto_now`` fields included) as the
column stores it, except that a column with a model default the caller leaves out gets that default; JSON
columns take the Python value and are encoded here. Indexes, constraints and foreign
keys stay as they are and check every row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections
from django.db.models import Model


def insert_rows(
    model: type[Model], columns: Sequence[str], rows: Iterable[Sequence], *, using: str = "default"
) -> int:
    """Insert `rows` (one value per name in `columns`, field attnames such as ``employer_id``) into the
    model's table. Returns the number of rows."""
    connection = connections[using]
    # A column with a model default that the caller does not name gets that default (the database has none).
    missing = [
        f
        for f in model._meta.concrete_fields
        if f.attname not in columns and not f.primary_key and not f.null and f.has_default()
    ]
    if missing:
        defaults = [f.get_default() for f in missing]
        columns = [*columns, *(f.attname for f in missing)]
        rows = ((*row, *defaults) for row in rows)
    fields = [model._meta.get_field(name) for name in columns]
    json_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
    count = 0
    if connection.vendor != "postgresql":
        batch = []
        for row in rows:
            batch.append(model(**dict(zip(columns, row, strict=True))))
            if len(batch) >= 2000:
                model.objects.using(using).bulk_create(batch)
                count += len(batch)
                batch = []
        if batch:
            model.objects.using(using).bulk_create(batch)
            count += len(batch)
        return count
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
        ) as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = encoder.encode(row[i])
                copy.write_row(row)
                count += 1
    return count
