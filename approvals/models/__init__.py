from .case import Case, CaseTransition
from .checks import MaterialReview
from .phrases import OpinionPhrase
from .procedures import SubApproval, Suspension

__all__ = ["Case", "CaseTransition", "MaterialReview", "OpinionPhrase", "SubApproval", "Suspension"]
