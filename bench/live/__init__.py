"""Live-vitals benchmark: subscribers over real WebSockets, monitors at 1 Hz, one `vetql serve` process.

Run it with `python -m bench.live` (see `--help`). Not part of `make test`.
"""
