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

    __slots__ = ("_complete", "opts", "positional")

    def __init__(self, opts: list[Opt], positional: list[int],
                 complete: frozenset[str] | tuple[str, ...] = ()) -> None:
        self._complete = complete  # long options known whole: never read as an abbreviation
        self.opts = opts
        self.positional = positional

    def has(self, *names: str) -> bool:
        return any(self._names(o.name, names) for o in self.opts)

    def values(self, *names: str) -> list[Opt]:
        return [o for o in self.opts if o.value is not None and self._names(o.name, names)]

    def _names(self, given: str, names: tuple[str, ...]) -> bool:
        """Is option ``given`` one of ``names``? A long option may be abbreviated: GNU getopt_long,
        git and argparse take any unambiguous prefix (``tar --to-com=...``, ``sed --expr=...``), so
        a prefix of a name counts as that name, unless it is itself a whole option the scan knows
        (``--exclude`` is not ``--exclude-from``). When the program finds the prefix ambiguous it
        refuses to run, and taking it for the name was harmless."""
        if given in names:
            return True
        return (given.startswith("--") and len(given) > 2 and given not in self._complete
                and any(n.startswith(given) for n in names))


def _long_name(name: str, long_values: frozenset[str] | tuple[str, ...]) -> str:
    """``name`` as the value-taking long option it abbreviates, if exactly one of ``long_values``."""
    if name in long_values:
        return name
    found = [known for known in long_values if known.startswith(name)]
    return found[0] if len(found) == 1 else name


def scan(argv: tuple[str, ...], start: int = 1, *, short_values: str = "",
         long_values: frozenset[str] | tuple[str, ...] = (), stop_at_positional: bool = False,
         plus_options: bool = False, whole: tuple[str, ...] = ()) -> Scan:
    """Scan ``argv[start:]``.

    ``short_values`` lists the short option letters that take a value (attached, as in
    ``-ofile``, or as the next argument); ``long_values`` the long options that take the
    next argument when not written ``--opt=value``; ``whole`` more long options that are never an
    abbreviation of a longer one (tar's ``--checkpoint``). ``stop_at_positional`` makes the first
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
            name = name if name in whole else _long_name(name, long_values)
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
    return Scan(opts, positional, (*long_values, *whole) if whole else long_values)
