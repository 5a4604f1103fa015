"""The simulation layer: the opening roster, the compiled engine and the reference, random numbers, the
tallies and their checks, the metrics, and ``simulate``."""
