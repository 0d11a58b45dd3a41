"""Report pages: credit (filled in by its area)."""

patterns: list = []
