"""A hand-made world of five journeys: two proven, one unclear, one failed check, one too small.

Shared by the report's library tests (as fixtures) and the report assets' direct tests.
"""

import pandas as pd


def journeys() -> pd.DataFrame:
    return pd.DataFrame({
        "journey_id": [0, 1, 2, 3, 4],
        "name": ["web cart → web order", "delivery issue → complaint", "social click → web view", "store → return",
                 "tiny journey"],
        "n_instances": [1200, 400, 900, 300, 20], "n_customers": [1000, 380, 850, 290, 18],
        "share": [0.4, 0.13, 0.3, 0.1, 0.007],
        "representative": ["add_to_cart@web → order@web", "delivery_issue@web → complaint@phone",
                           "click@social → view_item@web", "order@store → return@store", "search@web"],
    })


def impact() -> pd.DataFrame:
    return pd.DataFrame({
        "journey_id": [0, 1, 2, 3, 4], "name": ["x"] * 5, "n_treated": [900, 350, 800, 280, 15],
        "effect": [80.0, -120.0, 3.0, 200.0, None], "ci_low": [70.0, -140.0, -10.0, 150.0, None],
        "ci_high": [90.0, -100.0, 16.0, 250.0, None], "std_error": [5.0, 10.0, 6.6, 25.0, None],
        "p_value": [1e-10, 1e-8, 0.6, 1e-9, None], "q_value": [2e-10, 2e-8, 0.6, 2e-9, None],
        "overlap_ok": [True, True, True, False, False], "refutation_ok": [True, True, True, True, False],
        "finding": [True, True, False, False, False],
        "value_at_stake": [72_000.0, -42_000.0, 2_400.0, 56_000.0, None],
        "note": ["", "", "", "", "fewer than impact.min_treated=50 treated customers"],
        "reason": [None, None, None, None, "only 15 of its customers entered it during the measured period; at least "
                   "50 are needed to measure an effect"],
        "outcome": "net_revenue", "landmark": "2025-04-27", "outcome_end": "2025-10-27",
    })


def timing() -> pd.DataFrame:
    return pd.DataFrame({"group": ["all", "0", "1", "2"], "converted": [0.5, 1.0, 0.9, 0.4],
                         "conversion_p50_days": [1.0, 0.2, 3.0, 5.5]})


def rules() -> pd.DataFrame:
    return pd.DataFrame({
        "rule_id": ["j0-r1", "j0-r2", "j1-r1"], "journey_id": [0, 0, 1],
        "pattern": ["add_to_cart@web", "view_item@web → add_to_cart@web", "delivery_issue@web"],
        "window_h": [1.0, 5.0, 1.0], "action_label": ["Nudge to order", "Nudge to order", "Service call"],
        "channel": ["email", "email", "phone"], "delay_h": [2.0, 2.0, 0.0], "precision": [0.98, 0.9, 1.0],
        "coverage": [0.9, 0.5, 0.8], "triggers": [510, 220, 300], "support": [500, 200, 300],
        "target_lead_time_s": [3600.0, 7200.0, 86400.0],
        "expected_value": [40_000.0, 18_000.0, -36_000.0], "published": [True, False, True],
        "reason": ["", "overlaps j0-r1", ""],
    })



def paths() -> pd.DataFrame:
    return pd.DataFrame({"journey_id": [0, 0, 1, 2, 3, 4], "variant": ["add_to_cart@web → order@web", "order@web",
                         "delivery_issue@web → complaint@phone", "click@social", "order@store", "search@web"],
                         "count": [800, 400, 400, 900, 300, 20], "instances": [1200, 1200, 400, 900, 300, 20]})
