"""Faults of the database's own that the tests arm: PostgreSQL refusing rows while they are written."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

REFUSE_TWELVE = """
    CREATE OR REPLACE FUNCTION test_refuse_twelve() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF 12 IN (NEW.m1, NEW.m2, NEW.m3) THEN
            RAISE EXCEPTION 'value out of range for the test' USING ERRCODE = '22003';
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER test_refuse_twelve BEFORE INSERT ON submissions_observation
        FOR EACH ROW EXECUTE FUNCTION test_refuse_twelve();
"""


@contextmanager
def refusing_twelve() -> Iterator[None]:
    """PostgreSQL refuses a quantity of 12 while rows are written, as it refuses a value out of a type's
    range (a data exception, raised by a trigger of the test's own)."""
    with connection.cursor() as cursor:
        cursor.execute(REFUSE_TWELVE)
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_refuse_twelve ON submissions_observation")
