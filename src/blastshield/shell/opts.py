"""Getopt-style scanning of an argv: which arguments are options, their values, and
which are positional. Each program's knowledge says which options take a value."""

from __future__ import annotations


class Opt:
    """One option: ``name`` ("-o" or "--output"), its value, where the option is in argv
    (``index``) and where its value is (``value_index``; None: attached or absent)."""

    __slots__ = ("index", "name", "value", "value_index")

    def __init__(self, name: str, value: str | None, index: int, value_index: int | None = None) -> None:
        self.name = name
        self.value = value
        self.index = index
        self.value_index = value_index


class Scan:
    """Options found (in order) and the indices of the positional arguments."""

    __slots__ = ("opts", "positional")

    def __init__(self, opts: list[Opt], positional: list[int]) -> None:
        self.opts = opts
        self.positional = positional

    def has(self, *names: str) -> bool:
        return any(o.name in names for o in self.opts)

    def values(self, *names: str) -> list[Opt]:
        return [o for o in self.opts if o.name in names and o.value is not None]


def scan(argv: tuple[str, ...], start: int = 1, *, short_values: str = "",
         long_values: frozenset[str] | tuple[str, ...] = (), stop_at_positional: bool = False,
         plus_options: bool = False) -> Scan:
    """Scan ``argv[start:]``.

    ``short_values`` lists the short option letters that take a value (attached, as in
    ``-ofile``, or as the next argument); ``long_values`` the long options that take the
    next argument when not written ``--opt=value``. ``stop_at_positional`` makes the first
    positional end option parsing (as for wrappers: ``sudo -u x cmd -rf``).
    """
    opts: list[Opt] = []
    positional: list[int] = []
    i, n = start, len(argv)
    while i < n:
        arg = argv[i]
        if arg == "--":
            positional.extend(range(i + 1, n))
            break
        if arg.startswith("--") and len(arg) > 2:
            name, eq, value = arg.partition("=")
            if eq:
                opts.append(Opt(name, value, i))
            elif name in long_values and i + 1 < n:
                opts.append(Opt(name, argv[i + 1], i, i + 1))
                i += 1
            else:
                opts.append(Opt(name, None, i))
        elif (arg.startswith("-") or (plus_options and arg.startswith("+"))) and len(arg) > 1:
            j = 1
            while j < len(arg):
                letter = arg[j]
                if letter in short_values:
                    rest = arg[j + 1:]
                    if rest:
                        opts.append(Opt("-" + letter, rest, i))
                    elif i + 1 < n:
                        opts.append(Opt("-" + letter, argv[i + 1], i, i + 1))
                        i += 1
                    else:
                        opts.append(Opt("-" + letter, None, i))
                    break
                opts.append(Opt("-" + letter, None, i))
                j += 1
        else:
            positional.append(i)
            if stop_at_positional:
                positional.extend(range(i + 1, n))
                break
        i += 1
    return Scan(opts, positional)
