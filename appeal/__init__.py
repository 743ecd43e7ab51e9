"""appeal-router: configuration, command line and the bundled Wugang demo pack."""
