"""Site-wide machinery both apps use (the page cache, the API's plumbing, the cache client,
reading requests): the ground floor, importing neither app nor fansite (tests/test_layering.py)."""
