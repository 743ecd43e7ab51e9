"""appeal-router: configuration, the database set-up the stores share, command line and the bundled Wugang demo pack."""
