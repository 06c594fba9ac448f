"""The stages of a run: crawl, extract, analyse, check, publish, each a function over an archive."""
