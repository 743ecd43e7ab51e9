"""Bundled data files (dictionaries, stopwords); a package so that wheels carry them."""
