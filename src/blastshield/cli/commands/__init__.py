"""Subcommands. Each module defines NAME, HELP, configure(parser) and run(args) -> int.

Adding a module here is the only step needed to register a subcommand. Modules must
import only the standard library at top level; heavy imports belong inside ``run``.
"""
