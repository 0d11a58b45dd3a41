"""TechTransfer — a regional technology transfer platform (技术转移体系)."""

__version__ = "0.1.0"
