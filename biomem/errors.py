"""The one exception type a user sees.

Every bad value is rejected where it enters (construction, parsing) with the parameter's
name and what is accepted; the CLI prints ``str(error)`` as a single ``error:`` line.
"""

from __future__ import annotations


class BiomemError(ValueError):
    """A user-facing error: one line naming the parameter and the accepted range."""

    def __init__(self, parameter: str, problem: str, accepted: str | None = None):
        self.parameter = parameter
        self.problem = problem
        self.accepted = accepted
        text = f"{parameter}: {problem}"
        if accepted:
            text += f" (accepted: {accepted})"
        super().__init__(text)

    def __reduce__(self):
        # Rebuilt from its parts, so the error survives pickling between Dask workers.
        return (BiomemError, (self.parameter, self.problem, self.accepted))


class UnsupportedFeature(BiomemError):
    """A feature that a backend or export target cannot express."""

    def __init__(self, feature: str, target: str, hint: str | None = None):
        problem = f"{target} cannot express {feature}"
        super().__init__(feature, problem, hint)
        self.feature = feature
        self.target = target
        self.hint = hint

    def __reduce__(self):
        return (UnsupportedFeature, (self.feature, self.target, self.hint))
