"""What the submissions app tells the apps above it, without knowing them."""

from __future__ import annotations

from django.dispatch import Signal

put_in_force = Signal()
"""Sent inside the transaction that puts a submission in force for its period (it may supersede an
earlier one), with `standard_id` and `period`: what a firm has in force for that period changed.
Receivers that write in the same transaction commit or roll back with it."""

processed = Signal()
"""Sent inside the transaction that gives a submission its end state (accepted, accepted with
warnings, rejected), with `submission`."""
