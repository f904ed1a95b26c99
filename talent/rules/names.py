"""Display names of tier, programme, honour and service codes: they live in talent.names.policy (one home for
names); this module keeps the old import path working."""

from talent.names.policy import HONOURS, PROGRAMMES, SERVICES, TIERS

__all__ = ["HONOURS", "PROGRAMMES", "SERVICES", "TIERS"]
