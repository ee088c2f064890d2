"""The fast path: plain-data selections compiled to one SQL statement that returns the response JSON.

Where a selection subtree maps to columns and foreign keys only, VetQL asks
PostgreSQL for the JSON of the whole subtree, already shaped like the
selection (aliases, fragments, @include/@skip, __typename, global IDs, enum
names, DateTime formatting), and the executor passes those bytes through
without completing field by field. Anything the compiler does not know falls
back to the ordinary resolvers; the differential test keeps both paths equal.
The SQL runs in the request's transaction, so RLS decides what rows exist.
"""
