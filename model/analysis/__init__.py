"""The analysis layer: sweeps, sensitivity, calibration, back-tests and runs spread over a cluster."""
