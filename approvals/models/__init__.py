from .case import Case, CaseTransition
from .checks import MaterialReview
from .procedures import SubApproval, Suspension

__all__ = ["Case", "CaseTransition", "MaterialReview", "SubApproval", "Suspension"]
