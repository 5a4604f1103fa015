"""Errors a user can cause. The CLI prints them and exits with status 2; they never show a traceback."""


class UserError(Exception):
    """A mistake in an input (scenario, roster, command line, notebook parameter).

    ``problems`` holds one line per problem, each naming what is wrong and where.
    """

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = list(problems or [])

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        shown = self.problems[:SHOWN]
        more = [f"... and {len(self.problems) - SHOWN:,} more"] if len(self.problems) > SHOWN else []
        return head + "\n" + "\n".join(f"  - {p}" for p in shown + more)


SHOWN = 200  # problems listed in a message; the rest are counted
