from .application import Application, ApplicationMaterial, ReferenceCounter
from .item import FormField, Item, Material, Step, Theme
from .package import Package, PackageApplication, PackageField, PackageItem, PackageMaterial

__all__ = [
    "Application",
    "ApplicationMaterial",
    "FormField",
    "Item",
    "Material",
    "Package",
    "PackageApplication",
    "PackageField",
    "PackageItem",
    "PackageMaterial",
    "ReferenceCounter",
    "Step",
    "Theme",
]
