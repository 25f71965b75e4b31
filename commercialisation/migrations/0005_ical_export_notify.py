"""Triggers telling the web processes which lodging's iCal export changed (``export_heads``).

Every update or deletion of an export (a new version, a new token) and every change of a feed
sends ``NOTIFY openpro_ical_export, '<lodging id>'``, delivered when its transaction commits.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION openpro_ical_export_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('openpro_ical_export', OLD.lodging_id::text);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM pg_notify('openpro_ical_export', NEW.lodging_id::text);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER ical_export_notify_update AFTER UPDATE ON commercialisation_icalexport
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION openpro_ical_export_notify();
CREATE TRIGGER ical_export_notify_delete AFTER DELETE ON commercialisation_icalexport
    FOR EACH ROW EXECUTE FUNCTION openpro_ical_export_notify();
-- A feed matters to a head only by existing for its lodging (not its synchronisation state).
CREATE TRIGGER ical_feed_notify AFTER INSERT OR DELETE ON commercialisation_icalfeed
    FOR EACH ROW EXECUTE FUNCTION openpro_ical_export_notify();
CREATE TRIGGER ical_feed_notify_move AFTER UPDATE ON commercialisation_icalfeed
    FOR EACH ROW WHEN (OLD.lodging_id IS DISTINCT FROM NEW.lodging_id)
    EXECUTE FUNCTION openpro_ical_export_notify();
"""

DROP = """
DROP TRIGGER IF EXISTS ical_feed_notify_move ON commercialisation_icalfeed;
DROP TRIGGER IF EXISTS ical_feed_notify ON commercialisation_icalfeed;
DROP TRIGGER IF EXISTS ical_export_notify_delete ON commercialisation_icalexport;
DROP TRIGGER IF EXISTS ical_export_notify_update ON commercialisation_icalexport;
DROP FUNCTION IF EXISTS openpro_ical_export_notify();
"""


class Migration(migrations.Migration):
    dependencies = [("commercialisation", "0004_ical_export_version")]

    operations = [migrations.RunSQL(FUNCTION, DROP)]
