"""The exchange's rules: the instance identity (``keys``), the published format (``..format``), the change feed
(``feed``), peers and pulls (``pull``), federated records and their duplicates (``federated``), export bundles
(``bundle``)."""
