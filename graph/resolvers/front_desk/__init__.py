"""The front desk: clients (owners) and patients registered, edited, archived and found.

Each mutation is one transaction through `info.context.db`, committed only when there is
no userError; a write the database refuses (unique document or microchip, foreign key,
trigger) is rolled back and reported as a userError.
"""
