from parcours.synthetic.clickstream import PURCHASE, generate_clickstream


def test_sessions_follow_their_intent() -> None:
    clicks = generate_clickstream(300, seed=1)
    bought = clicks.groupby("session_id").agg(intent=("intent", "first"), bought=("activity", lambda a: PURCHASE in set(a)))
    assert bought[bought.intent == "buy"].bought.all() and not bought[bought.intent != "buy"].bought.any()
    assert clicks.revenue.isna().all() and clicks.groupby("customer_id").session_id.nunique().max() > 1


def test_url_pages_give_hundreds_of_activities() -> None:
    assert generate_clickstream(300, seed=1, url_pages=True).activity.nunique() > 100
