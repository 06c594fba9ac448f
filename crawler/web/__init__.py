"""``nianbao serve``: a read-only web application over one archive (Starlette, Jinja2, uvicorn).

``app.create_app(data)`` builds it; ``views`` hold one module per page family; every SQL query
lives in :mod:`storage.browse` and the other storage modules. Nothing here writes to the archive.
"""
