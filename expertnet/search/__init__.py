"""The app side of expert search: keeping the index fresh, and querying it."""
