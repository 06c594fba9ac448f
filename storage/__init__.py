"""Storage for nianbao: the SQLite index (``archive.db``) and the raw WARC archive.

Everything else reaches the database through the plain functions of this package, so the
index can move to another engine behind it (DESIGN §9).
"""
