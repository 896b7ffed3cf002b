"""``audit_append``: the chain's lock, its head and the new entry in one statement.

Every audited read appends an entry, so the append is the node's most frequent
write. Done from Python it needs the head's hash before it can hash the new
entry: two round trips, the lock held across both. This function does the same
work inside the server: one round trip, and in autocommit mode the statement's
own commit releases the lock.

The hash is the one ``node.audit.services.entry_hash`` computes and
``audit_chain_verify`` checks; the chain's format does not change. Python
sends the canonical JSON of the entry in three pieces, cut where the two
values only known under the lock go: ``at`` (the time, taken under the lock, so
that time order is chain order) and ``id`` (the head's id plus one). The
function hashes prev_hash || piece 1 || "at" || piece 2 || id || piece 3.

Snapshots: a PL/pgSQL function declared VOLATILE takes a new snapshot for
each statement in it (READ COMMITTED). The head is therefore read after the
lock was obtained and sees the entry the previous holder committed — which a
single SQL statement taking the lock and reading the head would not.

SQLite (development) keeps the Python append: it has one writer at a time.
"""

from django.db import migrations

# The bytes "SYSTAUDT" as an integer: node.audit.services.AUDIT_CHAIN_LOCK.
LOCK = 0x5359_5354_4155_4454

INSTALL = f"""
CREATE OR REPLACE FUNCTION audit_append(
    piece_before_at bytea,
    piece_before_id bytea,
    piece_after_id bytea,
    p_actor_id bigint,
    p_actor_username varchar,
    p_actor_role varchar,
    p_action varchar,
    p_target_type varchar,
    p_target_id varchar,
    p_target_ids text,
    p_ip inet,
    p_request_id varchar,
    p_detail jsonb,
    OUT new_id bigint,
    OUT new_at timestamptz,
    OUT new_prev_hash varchar,
    OUT new_hash varchar
)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK:d});
    SELECT e.id, e.hash INTO new_id, new_prev_hash
      FROM audit_auditentry AS e ORDER BY e.id DESC LIMIT 1;
    IF NOT FOUND THEN
        new_id := 0;
        new_prev_hash := repeat('0', 64);
    END IF;
    new_id := new_id + 1;
    -- Python's datetime.isoformat(timespec="microseconds") of the UTC time.
    new_at := clock_timestamp();
    new_hash := encode(sha256(
        convert_to(new_prev_hash, 'UTF8')
        || piece_before_at
        || convert_to(
            '"' || to_char(new_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00"',
            'UTF8')
        || piece_before_id
        || convert_to(new_id::text, 'UTF8')
        || piece_after_id
    ), 'hex');
    INSERT INTO audit_auditentry (
        id, at, actor_id, actor_username, actor_role, action, target_type, target_id,
        target_ids, ip, request_id, detail, prev_hash, hash
    ) VALUES (
        new_id, new_at, p_actor_id, p_actor_username, p_actor_role, p_action, p_target_type,
        p_target_id, p_target_ids, p_ip, p_request_id, p_detail, new_prev_hash, new_hash
    );
END
$$
"""
REMOVE = """
DROP FUNCTION IF EXISTS audit_append(
    bytea, bytea, bytea, bigint, varchar, varchar, varchar, varchar, varchar, text, inet,
    varchar, jsonb
)
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL, params=None)  # no placeholders: "%" is literal


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
