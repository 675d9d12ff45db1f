"""The command line: one module per subcommand under ``blastshield.cli.commands``."""
