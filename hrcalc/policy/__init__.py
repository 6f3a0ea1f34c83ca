"""The policy: every amount, rate, tier, cap and date, loaded from a TOML file and checked."""

import hashlib
import json

from hrcalc.policy.model import (
    AwardRule,
    Policy,
    PolicyError,
    bundled_policy_path,
    load_policy,
)

__all__ = ["AwardRule", "Policy", "PolicyError", "bundled_policy_path", "load_policy", "policy_sha256"]


def policy_sha256(policy: Policy) -> str:
    """The SHA-256 of the plan as applied (after any --set): the same plan always gives the same hash."""
    text = json.dumps(policy.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
