from .application import Application, ApplicationMaterial, ReferenceCounter
from .item import FormField, Item, Material, Step, Theme

__all__ = [
    "Application",
    "ApplicationMaterial",
    "FormField",
    "Item",
    "Material",
    "ReferenceCounter",
    "Step",
    "Theme",
]
