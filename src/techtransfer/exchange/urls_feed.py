"""Exchange pages: feed."""

patterns: list = []
