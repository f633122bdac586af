"""Grants annotation's permissions to the role groups, and makes the audit trail and submitted reads
immutable in PostgreSQL itself (triggers), so not even a bulk update or raw SQL can rewrite them."""

from django.db import migrations

from core.roles import grant_permissions

_VIEW_READER = ["view_campaign", "view_campaignstudy", "view_assignment", "view_read", "view_readlabel",
                "view_consensus", "view_adjudicationtask"]
_READ = ["add_read", "change_read", "add_readlabel", "change_readlabel", "change_adjudicationtask"]
_VIEW_ALL = _VIEW_READER + ["view_priorityscore", "view_readerconfusion"]
_CURATE = ["add_campaign", "change_campaign", "add_campaignstudy", "change_campaignstudy", "delete_campaignstudy",
           "add_priorityscore", "change_priorityscore"]
_PRIORITIZE = ["add_priorityscore", "change_priorityscore"]


def grant(apps, schema_editor):
    grant_permissions(apps, "annotation", {
        "radiologist": _VIEW_READER + _READ,
        "curator": _VIEW_ALL + _CURATE,
        "trainer": _VIEW_ALL + _PRIORITIZE,
    })


TRIGGERS = """
CREATE OR REPLACE FUNCTION annotation_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'annotation_auditevent is append-only (% refused)', TG_OP;
END; $$ LANGUAGE plpgsql;
CREATE TRIGGER annotation_auditevent_append_only BEFORE UPDATE OR DELETE ON annotation_auditevent
    FOR EACH ROW EXECUTE FUNCTION annotation_append_only();

CREATE OR REPLACE FUNCTION annotation_read_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'submitted' THEN
        RAISE EXCEPTION 'read % is submitted and immutable; amend it to create a new version', OLD.id;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END; $$ LANGUAGE plpgsql;
CREATE TRIGGER annotation_read_immutable BEFORE UPDATE OR DELETE ON annotation_read
    FOR EACH ROW EXECUTE FUNCTION annotation_read_immutable();

CREATE OR REPLACE FUNCTION annotation_readlabel_immutable() RETURNS trigger AS $$
DECLARE
    target bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN target := NEW.read_id; ELSE target := OLD.read_id; END IF;
    IF EXISTS (SELECT 1 FROM annotation_read WHERE id = target AND status = 'submitted') THEN
        RAISE EXCEPTION 'labels of read % are part of a submitted read and immutable', target;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END; $$ LANGUAGE plpgsql;
CREATE TRIGGER annotation_readlabel_immutable BEFORE INSERT OR UPDATE OR DELETE ON annotation_readlabel
    FOR EACH ROW EXECUTE FUNCTION annotation_readlabel_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS annotation_readlabel_immutable ON annotation_readlabel;
DROP TRIGGER IF EXISTS annotation_read_immutable ON annotation_read;
DROP TRIGGER IF EXISTS annotation_auditevent_append_only ON annotation_auditevent;
DROP FUNCTION IF EXISTS annotation_readlabel_immutable();
DROP FUNCTION IF EXISTS annotation_read_immutable();
DROP FUNCTION IF EXISTS annotation_append_only();
"""


def _on_postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)  # no params: the '%' of RAISE must not be read as a placeholder

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("annotation", "0001_initial"),
        ("curation", "0002_roles_and_default_taxonomy"),
    ]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(_on_postgres(TRIGGERS), _on_postgres(DROP)),
    ]
