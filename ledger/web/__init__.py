"""The web side: Datasette metadata, the plugin (pages, chart, write guard) and reviewers.

`ledger serve` (ledger/serve.py) puts them together; see ledger/web/plugin/__init__.py for who may
write and why.
"""
