"""What the exchange app tells the apps above it, without knowing them."""

from __future__ import annotations

from django.dispatch import Signal

agreement_changed = Signal()
"""Sent inside the transaction that records, suspends or resumes an agreement, with `agreement` and
`change` (`create`, `suspend`, `resume`). Receivers that write in the same transaction commit or roll
back with it."""
