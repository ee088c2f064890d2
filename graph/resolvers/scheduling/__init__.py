"""Scheduling: the clinic's schedule and exam rooms, read (`queries`) and written (`rooms`, `visits`, `recurrence`).

Each mutation runs in one transaction and commits only when there is no userError
(`transaction`). The rules that two receptionists could break together (room
capacity, a vet in two places) are the database's; a serialization failure under
REPEATABLE READ is retried on a fresh snapshot, where the loser then sees the
winner's booking.
"""
