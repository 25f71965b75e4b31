"""``field__any=[…]``: ``field = ANY(%s)`` with the list as one array parameter.

For the long id lists of batch queries (a search over 1 000 lodgings): ``__in`` writes one
placeholder per value, and psycopg parses a query of a thousand placeholders in Python on every
execution (longer queries are not cached), which cost more than running it. One array parameter
keeps the query short, the same text for any number of ids, and the plan the same as ``IN``.
"""

from __future__ import annotations

from django.db.models import Field, ForeignObject, Lookup


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False  # the list goes as it is: psycopg sends it as one array

    def get_prep_lookup(self):
        return [self.lhs.output_field.get_prep_value(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        db_type = self.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{db_type}[])", (*lhs_params, list(self.rhs))


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # a foreign key's lookups are its own (``lodging_id__any``)
