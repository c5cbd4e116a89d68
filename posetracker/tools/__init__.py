"""Development tools, apart from the runtime: the benchmark and the eval harness (labels, pose cache)."""
