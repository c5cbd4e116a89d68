"""Tools that work over many clips at once: batch runs on local cores or a Ray cluster, and their figures."""
