"""Serializers of the expo API, one module per area (STYLE.md, section 1), re-exported here."""

from expo.serializers.profiles import (
    BoothSerializer,
    BuyerProfileSerializer,
    ExhibitorContactSerializer,
    ExhibitorDetailSerializer,
    ExhibitorListSerializer,
    TermSerializer,
    TermSlugsField,
)

__all__ = [
    "BoothSerializer",
    "BuyerProfileSerializer",
    "ExhibitorContactSerializer",
    "ExhibitorDetailSerializer",
    "ExhibitorListSerializer",
    "TermSerializer",
    "TermSlugsField",
]
