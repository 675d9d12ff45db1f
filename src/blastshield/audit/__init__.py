"""The flight recorder: redacted, hash-chained, checkpoint-signed audit log of agent actions.

Import the submodules directly (``blastshield.audit.recorder``, ``.redact``, ...): this
package file stays empty so the hook path loads only what it uses.
"""
