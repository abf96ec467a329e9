"""What the benchmarks app tells the apps above it, without knowing them."""

from __future__ import annotations

from django.dispatch import Signal

run_published = Signal()
"""Sent inside the transaction that makes a run's figures current, with `run`. Receivers that write in
the same transaction commit or roll back with it."""
