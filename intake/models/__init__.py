from .application import Application, ApplicationMaterial
from .item import FormField, Item, Material, Step, Theme

__all__ = ["Application", "ApplicationMaterial", "FormField", "Item", "Material", "Step", "Theme"]
