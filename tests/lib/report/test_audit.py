from parcours.report.audit import money_problems, ranked_rows


def test_a_value_at_stake_that_is_not_customers_times_effect_is_named(html) -> None:
    broken = html.replace('data-money="80000.0">+€80K', 'data-money="72000.0">+€72K')
    assert any(p.startswith("journey 0: value at stake 72000.0 is not 1,000 customers × 80.0") for p in
               money_problems(broken))


def test_a_tile_that_is_not_the_sum_of_its_rows_is_named(html) -> None:
    broken = html.replace('<b class="neg" data-money="-45600.0">-€46K</b>', '<b class="neg" data-money="-1.0">-€1</b>')
    assert [p for p in money_problems(broken) if p.startswith("the losses tile")]


def test_a_card_that_counts_other_customers_than_its_row_is_named(html) -> None:
    broken = html.replace('data-customers="380" data-money', 'data-customers="350" data-money')
    assert any("380 customers in its card's header, 350 in its sentence" in p for p in money_problems(broken))


def test_a_sentence_that_says_another_amount_is_named(html) -> None:
    broken = html.replace("that is -€46K at stake", "that is -€40K at stake")
    assert any("its sentence does not read 380 customers and -€46K" in p for p in money_problems(broken))


def test_the_rows_are_read_with_their_exact_values(html) -> None:
    first = ranked_rows(html)[0]
    assert first["customers"] == (1000.0, "1,000") and first["value_at_stake"] == (80000.0, "+€80K")
