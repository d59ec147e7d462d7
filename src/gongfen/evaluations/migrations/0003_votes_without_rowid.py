"""On SQLite, the votes table keeps no rowid: its rows are stored in the order of their random keys.

A SQLite table with a rowid stores rows in insertion order, so the raw file (and every backup of it)
linked the votes cast together, and their place in the sequence, to the order voters took part in.
``WITHOUT ROWID`` stores the rows in a B-tree ordered by the primary key, a random UUID; the ballot
service also gives every vote of the round a fresh random key on every write (a reshuffle), and
``PRAGMA secure_delete`` (settings) overwrites what a deleted or moved row leaves behind.
PostgreSQL is unchanged.
"""

from django.db import migrations

TABLE = "evaluations_vote"


def without_rowid(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [TABLE])
        (create,) = cursor.fetchone()
        if "WITHOUT ROWID" in create.upper():
            return
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL", [TABLE]
        )
        indexes = [row[0] for row in cursor.fetchall()]
        new = f"{TABLE}__new"
        cursor.execute(create.replace(f'CREATE TABLE "{TABLE}"', f'CREATE TABLE "{new}"', 1) + " WITHOUT ROWID")
        cursor.execute(f'INSERT INTO "{new}" SELECT * FROM "{TABLE}" ORDER BY "id"')
        cursor.execute(f'DROP TABLE "{TABLE}"')
        cursor.execute(f'ALTER TABLE "{new}" RENAME TO "{TABLE}"')
        for sql in indexes:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0002_rounds")]

    operations = [migrations.RunPython(without_rowid, migrations.RunPython.noop, elidable=False)]
