"""refarch: a machine-readable catalog of supported topologies, sizes, options and versions."""

__version__ = "0.1.0"
