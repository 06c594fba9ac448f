"""One module per page family; each has ``routes``."""
