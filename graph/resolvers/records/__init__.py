"""Patient records: alerts, the problem list and diagnosis codes, profiles (people, clinic, pets), devices.

Each mutation is one transaction through `info.context.db`, committed only when
there is no userError; a write the database refuses (unique index, foreign key,
trigger) is rolled back and reported as a userError.
"""
