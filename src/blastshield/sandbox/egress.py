"""The egress decision: may the sandbox open a TCP connection to host:port, and to which address?

Plain data, no sockets: the proxy asks :func:`judge_host` first (the same
``decide_effect`` the hooks use, so both layers agree; ``ask`` is a refusal, there is
nobody to ask) and :func:`pick_addresses` after resolving the name. Resolved addresses
are judged, not names, so a name that resolves (or re-resolves) to a private address
cannot reach it:

- cloud metadata addresses are always refused unless the allow list names that exact
  address or name;
- private, loopback, link-local, CGNAT, unique-local, multicast and reserved addresses
  are refused unless the allow list names the host exactly (no wildcard) or names the
  address itself or a CIDR that holds it.
"""

from __future__ import annotations

import ipaddress

from blastshield.effects import Effect, Mode, Verdict
from blastshield.policy.decide import decide_effect
from blastshield.policy.match import host_matches
from blastshield.policy.model import Policy
from blastshield.values import FrozenValue

METADATA_HOSTS = frozenset({"169.254.169.254", "fd00:ec2::254", "metadata.google.internal",
                            "metadata.goog", "100.100.100.200", "169.254.170.2"})
_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


class HostVerdict(FrozenValue):
    __slots__ = ("applied", "reason", "rule", "verdict")
    verdict: Verdict  # what the policy says
    applied: Verdict  # after the mode (shadow and learn allow)
    rule: str
    reason: str

    def __init__(self, verdict: Verdict, applied: Verdict, rule: str, reason: str) -> None:
        object.__setattr__(self, "verdict", verdict)
        object.__setattr__(self, "applied", applied)
        object.__setattr__(self, "rule", rule)
        object.__setattr__(self, "reason", reason)


def judge_host(policy: Policy, host: str, port: int) -> HostVerdict:
    host = host.lower().rstrip(".")
    if host in METADATA_HOSTS and not _named_exactly(policy, host, port):
        return HostVerdict(Verdict.DENY, Verdict.DENY, "builtin [protected] cloud-metadata",
                           "cloud metadata endpoints hold machine credentials")
    decision = decide_effect(policy, Effect.net(host, port))
    rule = str(decision.rule) if decision.rule is not None else "analysis"
    reason = decision.reason
    if decision.verdict is Verdict.ASK:
        reason += "; the sandbox has nobody to ask, so ask is refused"
    applied = decision.verdict if policy.mode is Mode.ENFORCE else Verdict.ALLOW
    if decision.verdict is Verdict.ASK and policy.mode is Mode.ENFORCE:
        applied = Verdict.DENY
    return HostVerdict(decision.verdict, applied, rule, reason)


def is_internal(address: _IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_internal(address.ipv4_mapped)
    return bool(address.is_private or address.is_loopback or address.is_link_local
                or address.is_multicast or address.is_reserved or address.is_unspecified
                or address in _CGNAT or (isinstance(address, ipaddress.IPv6Address)
                                         and address.is_site_local))


def _named_exactly(policy: Policy, host: str, port: int) -> bool:
    for pattern in policy.network.allow:
        text = pattern.text.lower()
        name = text.rpartition(":")[0] if text.count(":") == 1 else text
        if "*" in name or "/" in name:
            continue
        if host_matches(pattern.text, host, port):
            return True
    return False


def _address_listed(policy: Policy, address: str, port: int) -> bool:
    for pattern in policy.network.allow:
        text = pattern.text
        name = text.rpartition(":")[0] if text.count(":") == 1 else text
        if name.strip() == "*":
            continue
        if host_matches(text, address, port):
            return True
    return False


class AddressChoice(FrozenValue):
    __slots__ = ("allowed", "refused_reason")
    allowed: tuple[str, ...]
    refused_reason: str

    def __init__(self, allowed: tuple[str, ...], refused_reason: str = "") -> None:
        object.__setattr__(self, "allowed", allowed)
        object.__setattr__(self, "refused_reason", refused_reason)


def pick_addresses(policy: Policy, host: str, port: int, addresses: list[str]) -> AddressChoice:
    """The resolved addresses the proxy may connect to, in order; empty with a reason if none."""
    host = host.lower().rstrip(".")
    out: list[str] = []
    reason = ""
    for text in addresses:
        try:
            address = ipaddress.ip_address(text.split("%")[0])
        except ValueError:
            continue
        exact = str(address)
        if exact in METADATA_HOSTS and not (_named_exactly(policy, exact, port)
                                            or _named_exactly(policy, host, port)):
            reason = f"{host} resolves to the cloud metadata address {exact}"
            continue
        if is_internal(address) and policy.mode is Mode.ENFORCE and not (
                _named_exactly(policy, host, port) or _address_listed(policy, exact, port)):
            reason = (f"{host} resolves to the internal address {exact}; list the host exactly "
                      "(no wildcard) or the address in [network] allow to reach it")
            continue
        if exact not in out:
            out.append(exact)
    if not out and not reason:
        reason = f"{host} did not resolve to any address"
    return AddressChoice(tuple(out), "" if out else reason)
