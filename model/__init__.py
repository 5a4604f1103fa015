"""Community-worker (社区工作者) workforce and budget model.

Public API: ``load_scenario``, ``simulate``, ``write_run``, ``Results``. They are imported on first use,
so that commands which only read scenarios or start a notebook do not wait for numba and pandas.
"""

_API = {"Results": "simulation.results", "simulate": "simulation.results", "write_run": "outputs",
        "Scenario": "scenario.load", "load_scenario": "scenario.load"}

__all__ = sorted(_API)


def __getattr__(name: str):
    if name in _API:
        import importlib

        return getattr(importlib.import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_API})
