"""Storage: what a database error can reveal in a log line."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError


def test_database_errors_do_not_carry_the_values_of_the_statement(app):
    db = app.extensions["hotline"].db
    secret = "+15555550999 Juan Perez"
    with db.begin() as connection:
        connection.execute(
            text("INSERT INTO contact (phone_hash, phone, opted_out, created_at) "
                 "VALUES ('h1', :p, false, CURRENT_TIMESTAMP)"),
            {"p": secret},
        )
    with pytest.raises(IntegrityError) as raised, db.begin() as connection:
        connection.execute(
            text("INSERT INTO contact (phone_hash, phone, opted_out, created_at) "
                 "VALUES ('h1', :p, false, CURRENT_TIMESTAMP)"),
            {"p": secret},
        )
    assert "Juan" not in str(raised.value)
    assert "5555550999" not in str(raised.value)
