"""The OS sandbox behind ``blastshield run``: bubblewrap, Landlock, seccomp and an egress proxy.

Modules, one job each: ``layers`` (what this machine supports), ``machine`` (bubblewrap's
version and the Landlock ABI, remembered per boot), ``fsplan`` (policy → mounts),
``bwrap`` (mounts → bubblewrap argv), ``env`` (environment filtering), ``landlock`` and
``seccomp`` (kernel restrictions; seccomp goes to ``bwrap --seccomp``, Landlock is applied
by the launcher inside the sandbox), ``launcher.c`` and ``launcher_build`` (the compiled
PID 1, built once) and ``launcher`` (its Python twin), ``bridge`` (TCP sockets inside
handed over to the proxy's unix socket; the proxy's relay), ``proxy`` (the egress
allow-list), ``netlog`` (connection records → audit log) and ``run`` (orchestration).
Modules that run inside the sandbox (``launcher``, ``bridge``, ``landlock``, ``seccomp``)
import only the standard library.
"""
