"""`make bench`: the patient overview through the real server, against the raw-SQL floor.

Run `python -m bench [--quick] [--duration S]`. Outside the test suite.
"""
