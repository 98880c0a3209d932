"""One module per `harness/checks/` module: a good input gives no finding, a bad one its rule."""
