"""The database cache's table (``openpro_cache``): the cache of every process when there is no
Redis, and the fallback of the Redis cache while Redis is down. Created here rather than by
``createcachetable`` so every database that is migrated has it, whatever the cache settings."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "openpro_cache"


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    initial = True
    dependencies: list = []
    operations = [migrations.RunPython(create, drop, elidable=False)]
