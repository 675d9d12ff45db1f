"""The OS sandbox behind ``blastshield run``: bubblewrap, Landlock, seccomp and an egress proxy.

Modules, one job each: ``layers`` (what this machine supports), ``fsplan`` (policy →
mounts), ``bwrap`` (mounts → bubblewrap argv), ``env`` (environment filtering),
``landlock`` and ``seccomp`` (kernel restrictions; seccomp goes to ``bwrap --seccomp``,
Landlock is applied by the launcher inside the sandbox), ``launcher.c`` and
``launcher_build`` (the compiled PID 1, built once) and ``launcher`` (its Python twin),
``bridge`` (TCP inside → the proxy's unix socket), ``proxy`` (the egress allow-list),
``netlog`` (connection records → audit log) and ``run`` (orchestration). Modules that
run inside the sandbox (``launcher``, ``bridge``, ``landlock``, ``seccomp``) import only
the standard library.
"""
