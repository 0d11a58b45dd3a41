"""``techtransfer exchange`` actions: feed (see ``management/commands/exchange.py``)."""

ACTIONS: dict = {}
