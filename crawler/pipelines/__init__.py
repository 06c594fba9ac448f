"""Item pipelines of nianbao."""
