"""Scheduling: the clinic's schedule and exam rooms, read (`queries`) and written (`rooms`, `visits`, `recurrence`).

Each mutation runs through the domain's skeleton (`checks.SCHEDULING`, graph/mutations.py): one
transaction, committed only when there is no userError. The rules two receptionists could break
together (room capacity, a vet in two places) are the database's; its refusals are read from
the domain's constraint table (domain/scheduling/errors.py).
"""
