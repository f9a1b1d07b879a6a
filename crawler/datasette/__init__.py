"""What `newsagg serve` hands Datasette: the metadata (titles, descriptions, facets, canned
queries, the story dashboard) in ``metadata.yaml`` and the small plugin in ``plugin.py``.

Read through ``importlib.resources`` (crawler/serve.py), so an installed wheel works too.
"""
