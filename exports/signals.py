"""Signals other apps listen to without exports knowing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `job` once an export has ended, done or failed (job.status says which), outside
# any transaction: the job row is saved already.
export_finished = Signal()
