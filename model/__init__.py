"""Community-worker (社区工作者) workforce and budget model.

Public API: ``load_scenario``, ``simulate``, ``write_run``, ``Results``.
"""

from .results import Results, simulate, write_run
from .scenario import Scenario, load_scenario

__all__ = ["Results", "Scenario", "load_scenario", "simulate", "write_run"]
