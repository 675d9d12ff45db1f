"""The OS sandbox behind ``blastshield run``: bubblewrap, Landlock, seccomp and an egress proxy.

Modules, one job each: ``layers`` (what this machine supports), ``fsplan`` (policy →
mounts), ``bwrap`` (mounts → bubblewrap argv), ``env`` (environment filtering),
``landlock`` and ``seccomp`` (kernel restrictions applied by ``launcher`` inside the
sandbox), ``bridge`` (TCP inside → the proxy's unix socket), ``proxy`` (the egress
allow-list), ``netlog`` (connection records → audit log) and ``run`` (orchestration).
Modules that run inside the sandbox (``launcher``, ``bridge``, ``landlock``,
``seccomp``) import only the standard library.
"""
