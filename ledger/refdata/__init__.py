"""Official statistics: importers for publishers' files, the database they fill, and the default
pack shipped with ledger (see ledger/refdata/store.py and ledger/refdata/pack.py)."""
