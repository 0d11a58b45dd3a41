"""Report pages: filing (filled in by its area)."""

patterns: list = []
