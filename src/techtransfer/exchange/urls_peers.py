"""Exchange pages: peers."""

patterns: list = []
