"""Attribute classifier: reads AIHub categorical attributes (face type, hair length, ...) off a sketch."""

from text2montage.attributes.model import (
    AttributeClassifier,
    AttributeConfig,
    AttributeModelError,
    field_accuracy,
)

__all__ = ["AttributeClassifier", "AttributeConfig", "AttributeModelError", "field_accuracy"]
