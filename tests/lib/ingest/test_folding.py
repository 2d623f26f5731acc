from datetime import UTC, datetime, timedelta

import pandas as pd

from parcours.ingest.folding import OTHER, activity_folding, fold_url
from parcours.instances import journey_instances
from parcours.settings import EpisodeSettings

T0 = datetime(2024, 1, 1, tzinfo=UTC)
URLS = ["https://shop.example/product/17?ref=mail", "/product/9", "/catalog/shoes?page=2", "/cart/", "/checkout/done"]


def _clicks(con, pages: list[list[str]]):
    rows = [(f"c{c}", T0 + timedelta(minutes=i), page, "web", float("nan"), i + 100 * c)
            for c, path in enumerate(pages) for i, page in enumerate(path)]
    columns = ["customer_id", "ts", "activity", "channel", "revenue", "event_seq"]
    frame = pd.DataFrame(rows, columns=columns).assign(source="s")
    return con.create_table("clicks", frame, overwrite=True)


def test_a_url_names_its_page_without_host_query_or_ids() -> None:
    assert [fold_url(u) for u in URLS] == ["/product/{id}", "/product/{id}", "/catalog/shoes", "/cart",
                                           "/checkout/done"]


def test_a_log_within_the_limit_is_left_alone() -> None:
    assert activity_folding({"view": 3, "order": 1}, 40) == {"fold_urls": False, "keep": None, "before": 2, "after": 2}


def test_rare_activities_become_other_but_purchases_stay() -> None:
    rows = {f"page {i}": 100 - i for i in range(10)} | {"order": 1}
    folding = activity_folding(rows, 4, protected=["order"])
    assert folding["keep"] == ["order", "page 0", "page 1", "page 2"] and folding["after"] == 5


def test_instances_of_a_url_log_read_folded_pages(con) -> None:
    pages = [[f"/product/{c * 7 + i}?utm=x" for i in range(3)] + ["/cart/"] for c in range(20)]
    events = _clicks(con, pages)
    settings = EpisodeSettings(max_activities=10, use_channel=False, inactivity_gap_days=None)
    tokens = journey_instances(events, settings, has_channel=False).to_pandas().tokens
    assert {t for path in tokens for t in path} == {"/product/{id}", "/cart"}


def test_an_explicit_abstraction_turns_the_folding_off(con) -> None:
    pages = [[f"/product/{c * 7 + i}" for i in range(3)] for c in range(20)]
    settings = EpisodeSettings(max_activities=10, use_channel=False, inactivity_gap_days=None,
                               abstraction={"/product/1": "first product"})
    tokens = journey_instances(_clicks(con, pages), settings, has_channel=False).to_pandas().tokens
    assert len({t for path in tokens for t in path}) == 60 and OTHER not in {t for p in tokens for t in p}
