from .case import Case, CaseTransition

__all__ = ["Case", "CaseTransition"]
