from .case import Case, CaseTransition
from .procedures import SubApproval, Suspension

__all__ = ["Case", "CaseTransition", "SubApproval", "Suspension"]
