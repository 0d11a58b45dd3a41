"""Report pages: summary (filled in by its area)."""

patterns: list = []
