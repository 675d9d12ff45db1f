"""The MCP proxy: sits between an MCP client and a server and enforces the policy's [mcp] rules.

jsonrpc.py (framing, ids, errors), revision.py (which protocol revision a message speaks),
pins.py (tool definition hashes pinned on first sight), description_flags.py (injection-like
text in tool descriptions), gate.py (the decisions: tools/list filtering, tools/call verdicts),
audit_writer.py (the flight recorder on a background thread), relay.py (the transport-free
message flow), proxy_stdio.py and proxy_http.py (the two transports).
"""
