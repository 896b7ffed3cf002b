"""The database itself refuses to change or remove audit entries.

PostgreSQL: a row trigger refuses UPDATE and DELETE, a statement trigger
refuses TRUNCATE (which row triggers do not see). SQLite (development): row
triggers refuse UPDATE and DELETE; SQLite has no TRUNCATE. Only someone who
may alter the table (its owner, a superuser) can disable them, and the hash
chain then still reveals what they changed.
"""

from django.db import migrations

TABLE = "audit_auditentry"

POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the audit log is append-only: % on {TABLE} refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    f"""
    CREATE TRIGGER {TABLE}_no_update_delete BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse_change()
    """,
    f"""
    CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_refuse_change()
    """,
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update_delete ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_refuse_change()",
]

SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER {TABLE}_no_{operation.lower()} BEFORE {operation} ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only: {operation} on {TABLE} refused');
    END
    """
    for operation in ("UPDATE", "DELETE")
]
SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS {TABLE}_no_{op} " for op in ("update", "delete")]

STATEMENTS = {
    "postgresql": (POSTGRESQL_INSTALL, POSTGRESQL_REMOVE),
    "sqlite": (SQLITE_INSTALL, SQLITE_REMOVE),
}


def _run(schema_editor, which):
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"no append-only triggers for the {vendor} database")
    for statement in STATEMENTS[vendor][which]:
        schema_editor.execute(statement, params=None)  # no placeholders: "%" is literal


def install(apps, schema_editor):
    _run(schema_editor, 0)


def remove(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
