"""Ranking stamps and the triggers that renew them (see ``gongfen.rankings.models.RankingStamp``).

A ranking reads maintained totals and ballots of one scheme and two periods (stamped per
scheme and period), and posts, units, cadres, schemes, rules and groups (one stamp for all).
The triggers renew a stamp's random token in the statement that changes such a row, so in
the same transaction, whatever wrote it (service, bulk load with COPY, import, admin, SQL).
PostgreSQL: statement-level triggers with transition tables (one upsert per statement, so a
COPY of a million rows costs one DISTINCT); SQLite: row-level triggers.
"""

from django.db import migrations, models

PER_PERIOD = ("ledger_ruletotal", "evaluations_ballot")  # columns scheme_id, period
EVERYTHING = ("org_post", "org_unit", "org_cadre", "schemes_scheme", "schemes_rule", "schemes_rankinggroup")
STAMPS = "rankings_rankingstamp"

PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION gongfen_stamp_everything() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {STAMPS} (scope, period, token) VALUES (0, '', gen_random_uuid()::text)
    ON CONFLICT (scope, period) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION gongfen_stamp_periods() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO {STAMPS} (scope, period, token)
        SELECT scheme_id, period, gen_random_uuid()::text
        FROM (SELECT DISTINCT scheme_id, period FROM new_rows) AS changed ORDER BY 1, 2
        ON CONFLICT (scope, period) DO UPDATE SET token = EXCLUDED.token;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO {STAMPS} (scope, period, token)
        SELECT scheme_id, period, gen_random_uuid()::text
        FROM (SELECT DISTINCT scheme_id, period FROM old_rows) AS changed ORDER BY 1, 2
        ON CONFLICT (scope, period) DO UPDATE SET token = EXCLUDED.token;
    ELSE
        INSERT INTO {STAMPS} (scope, period, token)
        SELECT scheme_id, period, gen_random_uuid()::text
        FROM (SELECT scheme_id, period FROM new_rows UNION SELECT scheme_id, period FROM old_rows) AS changed
        ORDER BY 1, 2
        ON CONFLICT (scope, period) DO UPDATE SET token = EXCLUDED.token;
    END IF;
    RETURN NULL;
END $$;
"""


def _pg_sql() -> list[str]:
    sql = [PG_FUNCTIONS]
    for table in PER_PERIOD:
        sql += [
            f"CREATE TRIGGER gongfen_stamp_ins AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION gongfen_stamp_periods()",
            f"CREATE TRIGGER gongfen_stamp_del AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION gongfen_stamp_periods()",
            f"CREATE TRIGGER gongfen_stamp_upd AFTER UPDATE ON {table} "
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION gongfen_stamp_periods()",
            f"CREATE TRIGGER gongfen_stamp_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION gongfen_stamp_everything()",
        ]
    for table in EVERYTHING:
        sql.append(
            f"CREATE TRIGGER gongfen_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION gongfen_stamp_everything()"
        )
    return sql


def _sqlite_upsert(scope: str, period: str) -> str:
    return (
        f"INSERT INTO {STAMPS} (scope, period, token) VALUES ({scope}, {period}, lower(hex(randomblob(16)))) "
        "ON CONFLICT (scope, period) DO UPDATE SET token = excluded.token;"
    )


def _sqlite_sql() -> list[str]:
    sql = []
    for table in PER_PERIOD:
        new, old = _sqlite_upsert("NEW.scheme_id", "NEW.period"), _sqlite_upsert("OLD.scheme_id", "OLD.period")
        sql += [
            f"CREATE TRIGGER gongfen_stamp_{table}_ins AFTER INSERT ON {table} FOR EACH ROW BEGIN {new} END",
            f"CREATE TRIGGER gongfen_stamp_{table}_del AFTER DELETE ON {table} FOR EACH ROW BEGIN {old} END",
            f"CREATE TRIGGER gongfen_stamp_{table}_upd AFTER UPDATE ON {table} FOR EACH ROW BEGIN {old} {new} END",
        ]
    everything = _sqlite_upsert("0", "''")
    for table in EVERYTHING:
        for event in ("INSERT", "UPDATE", "DELETE"):
            sql.append(
                f"CREATE TRIGGER gongfen_stamp_{table}_{event.lower()} AFTER {event} ON {table} "
                f"FOR EACH ROW BEGIN {everything} END"
            )
    return sql


def _pg_drop() -> list[str]:
    sql = []
    for table in PER_PERIOD:
        sql += [f"DROP TRIGGER IF EXISTS gongfen_stamp_{what} ON {table}" for what in ("ins", "del", "upd", "truncate")]
    sql += [f"DROP TRIGGER IF EXISTS gongfen_stamp ON {table}" for table in EVERYTHING]
    return [
        *sql,
        "DROP FUNCTION IF EXISTS gongfen_stamp_periods()",
        "DROP FUNCTION IF EXISTS gongfen_stamp_everything()",
    ]


def _sqlite_drop() -> list[str]:
    names = [f"gongfen_stamp_{t}_{w}" for t in PER_PERIOD for w in ("ins", "del", "upd")]
    names += [f"gongfen_stamp_{t}_{e}" for t in EVERYTHING for e in ("insert", "update", "delete")]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


def _run(schema_editor, statements: list[str]) -> None:
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, _pg_sql())
    elif vendor == "sqlite":
        _run(schema_editor, _sqlite_sql())
    else:
        raise RuntimeError(f"ranking stamps need triggers written for {vendor}")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, _pg_drop() if vendor == "postgresql" else _sqlite_drop())


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("ledger", "0002_adjustments"),
        ("evaluations", "0002_rounds"),
        ("org", "0001_initial"),
        ("schemes", "0002_publication_settings"),
    ]

    operations = [
        migrations.CreateModel(
            name="RankingStamp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("scope", models.BigIntegerField()),
                ("period", models.CharField(blank=True, max_length=10)),
                ("token", models.CharField(max_length=36)),
            ],
            options={
                "verbose_name": "排名数据版本",
                "verbose_name_plural": "排名数据版本",
                "constraints": [models.UniqueConstraint(fields=("scope", "period"), name="ranking_stamp_unique")],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
