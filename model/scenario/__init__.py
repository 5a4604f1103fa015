"""The scenario layer: reading a scenario file (load), its typed schema, the Params the engines read, and each parameter's label."""
