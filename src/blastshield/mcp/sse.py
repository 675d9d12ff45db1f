"""Server-sent events, just enough for the MCP proxy: split a byte stream into events, rebuild one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field


@dataclass
class Event:
    """One event: its raw bytes (to pass through untouched) and its parsed fields."""

    raw: bytes
    data: str = ""
    event: str = ""
    id: str | None = None
    retry: str | None = None
    comments: list[str] = field(default_factory=list)

    def encode_with_data(self, data: str) -> bytes:
        """This event with ``data`` replaced (one data line per line of ``data``)."""
        lines = [f":{c}" for c in self.comments]
        if self.event:
            lines.append(f"event: {self.event}")
        if self.id is not None:
            lines.append(f"id: {self.id}")
        if self.retry is not None:
            lines.append(f"retry: {self.retry}")
        lines.extend(f"data: {part}" for part in data.split("\n"))
        return ("\n".join(lines) + "\n\n").encode("utf-8")


def _parse(block: bytes) -> Event:
    event = Event(raw=block)
    data: list[str] = []
    for line in block.decode("utf-8", "replace").splitlines():
        if line.startswith(":"):
            event.comments.append(line[1:])
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            data.append(value)
        elif name == "event":
            event.event = value
        elif name == "id":
            event.id = value
        elif name == "retry":
            event.retry = value
    event.data = "\n".join(data)
    return event


async def events(chunks: AsyncIterator[bytes]) -> AsyncIterator[Event]:
    """Events from a byte stream (CRLF, LF or CR line ends); the raw block keeps its blank line."""
    buffer = b""
    async for chunk in chunks:
        buffer += chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        while True:
            end = buffer.find(b"\n\n")
            if end < 0:
                break
            block, buffer = buffer[:end], buffer[end + 2:]
            yield _parse(block + b"\n\n") if block.strip() else Event(raw=b"\n")
    if buffer.strip():
        yield _parse(buffer + b"\n\n")
