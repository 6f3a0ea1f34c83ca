"""The policy: every amount, rate, tier, cap and date, loaded from a TOML file and checked."""

from hrcalc.policy.model import (
    AwardRule,
    Policy,
    PolicyError,
    bundled_policy_path,
    load_policy,
)

__all__ = ["AwardRule", "Policy", "PolicyError", "bundled_policy_path", "load_policy"]
