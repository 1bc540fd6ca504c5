"""The database: SQLModel tables, encrypted columns, sessions and locking, migrations.

Importing any part of it registers every table with `SQLModel.metadata`, which the
migrations and the tests read: the advocates' tables name the others in their foreign keys.
"""

from . import advocates, alerts, hearings, machine_translations, models, tallies  # noqa: F401
