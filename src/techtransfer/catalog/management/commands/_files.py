"""What ``import`` and ``export`` share: the record kinds and file formats on the command line."""

from techtransfer.catalog.models import Achievement, Demand

KINDS = ("achievements", "demands")
FORMATS = ("csv", "xlsx", "jsonl")


def model_of(kind: str):
    return Achievement if kind == "achievements" else Demand
