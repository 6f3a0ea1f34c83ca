"""The award ledger: an SQLite file of what was granted, run by run, hash-chained (rulings.md)."""
