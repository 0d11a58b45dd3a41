"""What ``import`` and ``export`` share: the record kinds and file formats on the command line."""

from pathlib import Path

from techtransfer.catalog.models import Achievement, Demand

KINDS = ("achievements", "demands")
FORMATS = ("csv", "xlsx", "jsonl")


def model_of(kind: str):
    return Achievement if kind == "achievements" else Demand


def add_kind_and_file(parser) -> None:
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("file", type=Path)


def add_format(parser) -> None:
    parser.add_argument("--format", choices=FORMATS, help="file format (default: from the file name)")
